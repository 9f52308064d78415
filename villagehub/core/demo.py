import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

# The demo data: only facts the source documents state, each record naming its source.
DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "demo.yaml"

SAMPLE_EVENT_SLUG = "sample-smart-cafe"
SAMPLE_SOURCE = "sample: made up by `villagehub demo`, not taken from the source documents"


def demo_samples(*, today: dt.date) -> dict:
    """Records the sources do not hold but a newcomer needs to try the hub: one upcoming café
    to register for. Its title and source say it is a sample; `demo --no-samples` omits it."""
    # The Wednesday four to five weeks ahead, so that the café stays upcoming for a while and
    # a demo loaded again the same week keeps the same date.
    day = today + dt.timedelta(weeks=4, days=(2 - today.weekday()) % 7)
    zone = ZoneInfo("Europe/Brussels")
    starts = dt.datetime.combine(day, dt.time(10, 0), tzinfo=zone)
    return {
        "events": [
            {
                "slug": SAMPLE_EVENT_SLUG,
                "title": "Sample café (not from the sources): try registering",
                "kind": "cafe",
                "series": "smart-rural-communities-cafes",
                "status": "published",
                "summary": (
                    "A sample event that the demo adds so that you can try registering, "
                    "the confirmation e-mail and the calendar file. It is not taken from the "
                    "source documents."
                ),
                "organiser_networks": ["smart-rural-21"],
                "themes": ["local-democracy"],
                "time_zone": "Europe/Brussels",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
                "date_precision": "minute",
                "online_url": "https://meet.example.org/sample-smart-cafe",
                "capacity": 30,
                "registration_open": True,
                "waiting_list": True,
                "language": "en",
                "source": SAMPLE_SOURCE,
            }
        ]
    }
