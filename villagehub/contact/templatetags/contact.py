from django import template

from ..forms import ContactForm
from ..selectors import contact_possible

register = template.Library()


@register.inclusion_tag("contact/contact_section.html", takes_context=True)
def contact_us(context, network=None, country=""):
    """`{% contact_us network=network %}` or `{% contact_us country=code %}`: the page's
    "Contact us" form, shown when someone coordinates the network (or a network with
    communities in the country) to read what is sent."""
    return {
        "shown": contact_possible(network=network, country=country),
        "network": network,
        "country": country,
        "form": ContactForm(),
        "csrf_token": context.get("csrf_token"),
    }
