"""Reading YAML fast: as Rasa reads it (YAML 1.2, `rasa_load`) and as PyYAML does (`safe_load`).

Rasa 3.6 reads YAML with ruamel.yaml in pure Python and the YAML 1.2 rules; the trained model's
domain (400 KB with seven languages) took about 3 s to read that way, and Rasa reads it four times
when the server starts. `rasa_load` gives the same data with PyYAML's C parser and the YAML 1.2 core
schema: `yes`, `no`, `on` and `off` stay text (PyYAML's YAML 1.1 rules would make them booleans),
`012` is twelve, and there are no sexagesimal numbers.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class Yaml12Loader(yaml.CSafeLoader):  # type: ignore[misc]
    """libyaml's parser with the implicit types of the YAML 1.2 core schema (as ruamel.yaml's)."""

    yaml_implicit_resolvers: dict = {}


def _construct_int(loader: Yaml12Loader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if digits.startswith(prefix):
            return sign * int(digits[2:], base)
    return sign * int(digits, 10)


_RESOLVERS = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        "tag:yaml.org,2002:float",
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?0b[0-1_]+|[-+]?0o[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (
        "tag:yaml.org,2002:timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
)
for _tag, _pattern, _first in _RESOLVERS:
    Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern, re.X), list(_first))
Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def rasa_load(text: str) -> Any:
    """The data of a YAML document, as `rasa.shared.utils.io.read_yaml` gives it (`{}` if empty).

    What libyaml refuses and ruamel.yaml may accept (an escaped surrogate pair in a file that is
    not all ASCII) is read by Rasa's own reader.
    """
    original = text
    if text.isascii():
        # As Rasa does: an ASCII file may carry emoji as escaped surrogate pairs ("\ud83d\udc4d").
        text = text.encode("utf-8").decode("raw_unicode_escape").encode("utf-16", "surrogatepass").decode("utf-16")
    try:
        return yaml.load(text, Loader=Yaml12Loader) or {}
    except yaml.YAMLError:
        from rasa.shared.utils.io import read_yaml

        return read_yaml(original)


def safe_load(text: str) -> Any:
    """`yaml.safe_load(text)` (PyYAML's own rules, YAML 1.1) with libyaml's C parser: the same
    data, several times faster. For the project's own files (translations, training data, rules)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
