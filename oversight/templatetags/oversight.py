"""`{% load oversight %}`: people by name and post in templates."""

from django import template

from oversight import display

register = template.Library()


@register.filter
def name_and_post(who, on):
    """`{{ user|name_and_post:moment }}`: "Name, post held that day"."""
    return display.name_and_post(who, on)
