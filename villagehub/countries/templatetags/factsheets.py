from django import template

register = template.Library()


@register.filter
def cap_support(factsheet, period):
    return factsheet.cap_support_for(period)


@register.filter
def activity(factsheet, index):
    return factsheet.activities()[index][1]
