"""The docker's settings, kept in Krita's settings file (kritarc, group [language_colorize]).

`token` is only for a backend on another machine: the server then requires `Authorization: Bearer
<token>` (`python -m backend serve --host 0.0.0.0 --token ...`); it is never sent to other hosts than
the configured one.
"""

from . import api

GROUP = "language_colorize"

PLACE_UNDER = "under"  # a Colorization group directly under the line art (lines stay on top)
PLACE_ABOVE = "above"  # the group directly above the line art, in Multiply mode; your layers untouched
PLACEMENTS = (PLACE_UNDER, PLACE_ABOVE)

DEFAULTS = {
    "backend_url": api.DEFAULT_URL,
    "autostart": "true",
    "placement": PLACE_UNDER,
    "convert_gray": "true",
    "timeout": "180",
    "token": "",
}


def _bool(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class Settings(object):
    def __init__(
        self,
        backend_url=api.DEFAULT_URL,
        autostart=True,
        placement=PLACE_UNDER,
        convert_gray=True,
        timeout=180,
        token="",
    ):
        self.backend_url = api.normalise_url(backend_url)
        self.autostart = bool(autostart)
        self.placement = placement if placement in PLACEMENTS else PLACE_UNDER
        self.convert_gray = bool(convert_gray)
        self.timeout = max(5, int(timeout))
        self.token = (token or "").strip()

    @classmethod
    def read(cls, read_setting):
        """read_setting(group, key, default) -> str, like Krita.instance().readSetting."""
        raw = {k: read_setting(GROUP, k, v) or v for k, v in DEFAULTS.items()}
        try:
            timeout = int(float(raw["timeout"]))
        except ValueError:
            timeout = int(DEFAULTS["timeout"])
        return cls(
            raw["backend_url"],
            _bool(raw["autostart"]),
            raw["placement"],
            _bool(raw["convert_gray"]),
            timeout,
            raw["token"],
        )

    def items(self):
        return {
            "backend_url": self.backend_url,
            "autostart": "true" if self.autostart else "false",
            "placement": self.placement,
            "convert_gray": "true" if self.convert_gray else "false",
            "timeout": str(self.timeout),
            "token": self.token,
        }

    def write(self, write_setting):
        for key, value in self.items().items():
            write_setting(GROUP, key, value)
