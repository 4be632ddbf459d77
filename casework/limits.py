"""How long a complaint's texts may be, whatever door it comes through.

The web form, the clerk's phone form, Open311 and the chat drafts all take their limits from
here, and `case_open` refuses anything longer, so no channel can be the one without a limit.
"""

TITLE_MAX_CHARS = 300
DESCRIPTION_MAX_CHARS = 4000
