from pathlib import Path

# The demo data: only facts the source documents state, each record naming its source.
DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "demo.yaml"
