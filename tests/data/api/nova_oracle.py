#!/usr/bin/env python3
"""Nova's validation outcome for POST /os-keypairs bodies, as test vectors (schema_vectors.json).

An independent mirror of what Nova does before it touches a key (nova-api.md 1.2, 1.3): the
body is read with Python's json module (a ValueError is "Malformed request body", an empty body
is None), then checked with jsonschema's Draft4Validator against the microversion's schema; the
first error is reported, wrapped as Nova wraps it. Needs python3 and jsonschema 4.23 or later
(for "should be non-empty"). Nova's name schema checks type, format, minLength, maxLength in
that order (then the pattern). Cases where the crate deliberately differs (NaN, Infinity, lone
surrogates, nesting deeper than 128) are not generated here; tests/api.rs covers them.
"""
import base64
import importlib.metadata
import json
import re
import sys
import unicodedata

import jsonschema
from jsonschema import Draft4Validator, FormatChecker

INVALID_NAME = ("An invalid 'name' value was provided. The name must be: printable "
                "characters. Can not start or end with whitespace.")


class InvalidName(Exception):
    pass


def _printable(c):
    cat = unicodedata.category(c)
    return not cat.startswith("C") and (not cat.startswith("Z") or cat == "Zs")


def _edge_bad(c):
    return not (_printable(c) and unicodedata.category(c) != "Zs")


def _class(pred):
    """A regex character class body for the code points below U+FFFF that satisfy pred."""
    parts, i = [], 0
    while i < 0xFFFF:
        if pred(chr(i)):
            j = i
            while j + 1 < 0xFFFF and pred(chr(j + 1)):
                j += 1
            parts.append(re.escape(chr(i)) + ("-" + re.escape(chr(j)) if j > i else ""))
            i = j + 1
        else:
            i += 1
    return "".join(parts)


_EDGE = _class(_edge_bad)
NAME_REGEX = "^(?![%s])[%s]*(?<![%s])$" % (_EDGE, _class(_printable), _EDGE)

checker = FormatChecker()


@checker.checks("name", raises=InvalidName)
def _name_format(instance):
    if isinstance(instance, str) and re.search(NAME_REGEX, instance):
        return True
    raise InvalidName()


def _name_schema(pattern):
    return {"allOf": [
        {"type": "string", "format": "name", "minLength": 1, "maxLength": 255},
        {"type": "string", "minLength": 1, "maxLength": 255, "pattern": pattern},
    ]}


def schema_for(minor):
    pattern = r"^[_\-\@\. a-zA-Z0-9]+$" if minor >= 92 else r"^[_\- a-zA-Z0-9]+$"
    props = {"name": _name_schema(pattern)}
    if minor >= 2:
        props["type"] = {"type": "string", "enum": ["ssh", "x509"]}
    props["public_key"] = {"type": "string"}
    if minor >= 10:
        props["user_id"] = {"type": "string"}
    required = ["name", "public_key"] if minor >= 92 else ["name"]
    keypair = {"type": "object", "properties": props, "required": required,
               "additionalProperties": False}
    return {"type": "object", "properties": {"keypair": keypair}, "required": ["keypair"],
            "additionalProperties": False}


def nova_outcome(body, minor):
    if len(body) == 0:
        doc = None
    else:
        try:
            doc = json.loads(body.decode("utf-8"))
        except ValueError:
            return {"status": 400, "message": "Malformed request body"}
    validator = Draft4Validator(schema_for(minor), format_checker=checker)
    for ex in validator.iter_errors(doc):
        if isinstance(ex.cause, InvalidName):
            detail = INVALID_NAME
        elif len(ex.path) > 0:
            detail = "Invalid input for field/attribute %s. Value: %s. %s" % (
                ex.path.pop(), ex.instance, ex.message)
        else:
            detail = ex.message
        return {"status": 400, "message": detail}
    return "valid"


def kp(**fields):
    return json.dumps({"keypair": fields}).encode()


NAMES = [
    "a", "a b", " a", "a ", "a\u00a0", "\u3000a", "a\tb", "a\u200bb", "a\u2028b", "\u00e9t\u00e9",
    "a\U0001F600", "'quote", "both'\"", "back\\slash", "x" * 255, "x" * 256, "\x00" * 256, "",
    "-lead", "_", "@x", "x.", "a.b", "a@b", "test/keypair", "my-key@ my.host",
    "!nvalid=name|", "* BAD CHARACTERS!  *", "\x7f", "a\x1fb", "\ue000", "caf\u00e9 au lait",
    " " + "a" * 255, "a" * 255 + " ", "\x00" * 3, "key\n", "key\n\n", "\n", "key \n", "key\r\n",
    "\nkey", "a" * 255 + "\n", "a" * 256 + "\n", "a.b\n", "bad/\n", "\t" * 300,
]

BODIES = [
    b"", b"null", b"[]", b"{}", b"1", b'"x"', b"true", b"1.5",
    b'{"keypair": null}', b'{"keypair": []}', b'{"keypair": "x"}', b'{"keypair": 7}',
    b'{"keypair": {}}', b'{"keypair": {"name": "a"}, "x": 1}', b'{"x": 1}',
    b'{"keypair": {"name": "a"}, "b": 1, "a": 2}',
    b'{"keypair": {"name": "a", "foo": 1}}',
    b'{"keypair": {"name": "a", "foo": 1, "bar": 2, "Z": 3}}',
    b'{"keypair": {"foo": 1}}',
    b'{"keypair": {"name": "bad/", "foo": 1}}',
    b'{"keypair": {"name": "a", "public_key": "k", "foo": 1}}',
    b'{"keypair": {"name": "a/", "name": "good"}}',
    b'{"keypair": {"name": 1, "public_key": "k", "name": "x"}}',
    b'{"keypair": {"name": "a"}, "keypair": {"name": "b/"}}',
    b'{"keypair": {"name": "a", "public_key": "k"}}',
    b'{"keypair": {"name": "\\u0000"}}',
    b'{"keypair": {"name": "\\ud83d\\ude00"}}',
    b'{"keypair": {"name": "ok", "public_key": "k", "type": "ssh", "user_id": "u"}}',
    b'{"keypair": {"public_key": "k", "name": "ok", "user_id": 5, "type": 5}}',
    b'{"keypair": {"user_id": 5, "type": "x", "name": "ok"}}',
    b'{', b'{"keypair": }', b'{"a":1}x', b'\xff', b'{"keypair": {"name": "\xc3\x28"}}',
    b'\xef\xbb\xbf{}', b'{"keypair": {"name": "a",}}', b"{'keypair': 1}", b"  ", b"{}}",
    b'{"keypair": {"name": "a\x01"}}', b'[[[[[[[[1]]]]]]]]',
    b'{"keypair": {"name": [[[[1, {"b": null, "a": [true, false]}]]]]}}',
    b'{"keypair": {"name": {"z": 1, "a": "\\u00e9\\u00a0\\n\'"}}}',
]
for value in ["5", "1.5", "1e20", "-0.0", "0.0001", "1e-05", "true", "null", "[]", "{}",
              "-12", "123456789012345678", "-0", "123456789012345678901234567890",
              "-18446744073709551617", "9" * 400, "1e400", "-1e400", "[-0, 1E2]"]:
    for field in ["name", "public_key", "type", "user_id"]:
        fields = {"name": "ok"}
        BODIES.append(("{\"keypair\": {%s}}" % ", ".join(
            ['"%s": %s' % (k, json.dumps(v)) for k, v in fields.items() if k != field]
            + ['"%s": %s' % (field, value)])).encode())
for name in NAMES:
    BODIES.append(kp(name=name))
    BODIES.append(kp(name=name, public_key="k"))
for t in ["ssh", "x509", "SSH", "", "rsa"]:
    BODIES.append(kp(name="ok", type=t))
for u in ["u", ""]:
    BODIES.append(kp(name="ok", user_id=u))
BODIES.append(kp(name="ok", public_key=None))
BODIES.append(kp(name="ok", public_key=""))

MINORS = [1, 2, 9, 10, 91, 92, 93]


def main():
    version = tuple(int(p) for p in importlib.metadata.version("jsonschema").split(".")[:2])
    assert version >= (4, 23), "needs jsonschema 4.23+"
    out = []
    for body in BODIES:
        for minor in MINORS:
            entry = {"microversion": "2.%d" % minor}
            try:
                entry["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                entry["body_base64"] = base64.b64encode(body).decode()
            entry["nova"] = nova_outcome(body, minor)
            out.append(entry)
    json.dump(out, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
