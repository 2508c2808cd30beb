#!/usr/bin/env python3
"""Writes the STIX conformance cases in tests/stix/cases/ (one JSON file per case).

Each case is {"object": <object or raw text>, "valid": bool, "rule": str, "property": str,
"note": str}. The cases are data, checked in; this script is how they were produced and how
to regenerate them after a deliberate change: `python3 tests/stix/make_cases.py`. It writes
only cases/*.json files whose names it generates (hand-written cases are kept).
"""
import copy
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cases")

ID = "{}--6b0e4b3a-3c7a-4a3e-9c3b-{:012x}"
IDENTITY = "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
TLP_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
IND = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
MAL = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"
IPV4 = "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"
FILE = "file--364fe3e5-b1f4-5ba3-b951-ee5983b3538d"
EXTDEF = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e"
T0 = "2016-04-06T20:03:48.000Z"
T1 = "2016-05-07T11:22:30.000Z"

_n = [0]


def new_id(t):
    _n[0] += 1
    return ID.format(t, _n[0])


def sdo(t, **props):
    o = {"type": t, "spec_version": "2.1", "id": new_id(t), "created": T0, "modified": T1}
    o.update(props)
    return o


def sco(t, **props):
    o = {"type": t, "id": new_id(t)}
    o.update(props)
    return o


def smo(t, **props):
    o = {"type": t, "spec_version": "2.1", "id": new_id(t), "created": T0}
    o.update(props)
    return o


BASE = {
    # SDOs
    "attack-pattern": sdo("attack-pattern", name="Spear Phishing"),
    "campaign": sdo("campaign", name="Green Group Attacks", first_seen=T0),
    "course-of-action": sdo("course-of-action", name="Add TCP port 80 filter"),
    "grouping": sdo("grouping", context="suspicious-activity", object_refs=[IND]),
    "identity": sdo("identity", name="ACME", identity_class="organization"),
    "incident": sdo("incident", name="Breach of 2024"),
    "indicator": sdo("indicator", pattern="[ipv4-addr:value = '198.51.100.1']",
                     pattern_type="stix", valid_from=T0),
    "infrastructure": sdo("infrastructure", name="Poison Ivy C2"),
    "intrusion-set": sdo("intrusion-set", name="Bobcat Breakin"),
    "location": sdo("location", region="northern-america"),
    "malware": sdo("malware", name="Cryptolocker", is_family=True),
    "malware-analysis": sdo("malware-analysis", product="microsoft", result="malicious"),
    "note": sdo("note", content="This note indicates the various steps taken.",
                object_refs=[MAL]),
    "observed-data": sdo("observed-data", first_observed=T0, last_observed=T1,
                         number_observed=50, object_refs=[IPV4]),
    "opinion": sdo("opinion", opinion="strongly-disagree", object_refs=[IND]),
    "report": sdo("report", name="The Black Vine Cyberespionage Group", published=T1,
                  object_refs=[IND, MAL]),
    "threat-actor": sdo("threat-actor", name="Evil Org"),
    "tool": sdo("tool", name="VNC"),
    "vulnerability": sdo("vulnerability", name="CVE-2016-1234"),
    # SROs
    "relationship": sdo("relationship", relationship_type="indicates", source_ref=IND,
                        target_ref=MAL),
    "sighting": sdo("sighting", sighting_of_ref=IND, count=3),
    # SCOs
    "artifact": sco("artifact", mime_type="image/jpeg", payload_bin="VBORw0KGgoAAAANSUhEUgAAADI=="),
    "autonomous-system": sco("autonomous-system", number=15139),
    "directory": sco("directory", path="C:\\Windows\\System32"),
    "domain-name": sco("domain-name", value="example.com"),
    "email-addr": sco("email-addr", value="john@example.com"),
    "email-message": sco("email-message", is_multipart=False, subject="Hi"),
    "file": sco("file", name="foo.dll", hashes={"SHA-256": "ab" * 32}),
    "ipv4-addr": sco("ipv4-addr", value="198.51.100.3"),
    "ipv6-addr": sco("ipv6-addr", value="2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
    "mac-addr": sco("mac-addr", value="d2:fb:49:24:37:18"),
    "mutex": sco("mutex", name="__CLEANSWEEP__"),
    "network-traffic": sco("network-traffic", protocols=["ipv4", "tcp"], src_ref=IPV4,
                           dst_port=443),
    "process": sco("process", pid=1221, command_line="./gedit-bin --new-window"),
    "software": sco("software", name="Word", vendor="Microsoft"),
    "url": sco("url", value="https://example.com/research/index.html"),
    "user-account": sco("user-account", user_id="1001", account_login="jdoe"),
    "windows-registry-key": sco("windows-registry-key",
                                key="hkey_local_machine\\system\\bar\\foo"),
    "x509-certificate": sco("x509-certificate", serial_number="36:f7:d4:32:f4:ab:70:ea"),
    # SMOs
    "marking-definition": smo("marking-definition", definition_type="statement",
                              definition={"statement": "Copyright 2024, Example Corp"}),
    "language-content": smo("language-content", modified=T1, object_ref=IND,
                            contents={"de": {"name": "Bedrohungsakteur"}}),
    "extension-definition": smo("extension-definition", modified=T1, created_by_ref=IDENTITY,
                                name="Extension Foo Bar", schema="https://example.com/schema",
                                version="1.2.1", extension_types=["property-extension"]),
}

REQUIRED = {
    "attack-pattern": ["name"], "campaign": ["name"], "course-of-action": ["name"],
    "grouping": ["context", "object_refs"], "identity": ["name"], "incident": ["name"],
    "indicator": ["pattern", "pattern_type", "valid_from"], "infrastructure": ["name"],
    "intrusion-set": ["name"], "location": ["region"], "malware": ["is_family"],
    "malware-analysis": ["product", "result"], "note": ["content", "object_refs"],
    "observed-data": ["first_observed", "last_observed", "number_observed", "object_refs"],
    "opinion": ["opinion", "object_refs"], "report": ["name", "published", "object_refs"],
    "threat-actor": ["name"], "tool": ["name"], "vulnerability": ["name"],
    "relationship": ["relationship_type", "source_ref", "target_ref"],
    "sighting": ["sighting_of_ref"],
    "artifact": ["payload_bin"], "autonomous-system": ["number"], "directory": ["path"],
    "domain-name": ["value"], "email-addr": ["value"], "email-message": ["is_multipart"],
    "ipv4-addr": ["value"], "ipv6-addr": ["value"], "mac-addr": ["value"], "mutex": ["name"],
    "network-traffic": ["protocols", "src_ref"], "software": ["name"], "url": ["value"],
    "marking-definition": ["created", "definition"],
    "language-content": ["modified", "object_ref", "contents"],
    "extension-definition": ["modified", "created_by_ref", "name", "schema", "version",
                             "extension_types"],
}

cases = {}


def case(name, obj, valid, rule="", prop="", note=""):
    assert name not in cases, name
    c = {"object": obj, "valid": valid}
    if not valid:
        c["rule"] = rule
        c["property"] = prop
    if note:
        c["note"] = note
    cases[name] = c


def without(obj, *names):
    o = copy.deepcopy(obj)
    for n in names:
        del o[n]
    return o


def withp(obj, **props):
    o = copy.deepcopy(obj)
    o.update(props)
    return o


# ---- valid: every type, as the table knows it -------------------------------------------
for t, o in BASE.items():
    case(f"valid--{t}", o, True, note=f"a minimal valid {t}")

# ---- required-property: every required property of every type -------------------------
for t, props in REQUIRED.items():
    for p in props:
        case(f"required-property--{t}--{p}", without(BASE[t], p), False, "required-property", p,
             f"{t} without {p}")
for t in ["indicator", "relationship", "x-custom"]:
    base = BASE.get(t) or sdo("x-custom-thing", x_note="custom")
    for p in ["created", "modified"]:
        case(f"required-property--{t}--{p}", without(base, p), False, "required-property", p)
for t in ["malware", "ipv4-addr", "marking-definition"]:
    case(f"required-property--{t}--id", without(BASE[t], "id"), False, "required-property", "id")
    case(f"required-property--{t}--type", without(BASE[t], "type"), False, "required-property",
         "type")
case("required-property--file--hashes-or-name", without(BASE["file"], "hashes", "name"), False,
     "required-property", "hashes", "file needs hashes or name")
case("required-property--location--any", without(BASE["location"], "region"), False,
     "required-property", "region", "location needs region, country or latitude/longitude")
case("required-property--location--longitude",
     withp(without(BASE["location"], "region"), latitude=48.8566), False, "required-property",
     "longitude")
case("required-property--malware--name-when-family", without(BASE["malware"], "name"), False,
     "required-property", "name")
case("required-property--malware-analysis--result-or-scos",
     without(BASE["malware-analysis"], "result"), False, "required-property", "result")
case("required-property--artifact--hashes-with-url",
     withp(without(BASE["artifact"], "payload_bin"), url="https://example.com/a.bin"), False,
     "required-property", "hashes")
for t in ["process", "user-account", "windows-registry-key", "x509-certificate"]:
    keep = {k: v for k, v in BASE[t].items() if k in ("type", "id")}
    case(f"required-property--{t}--some-property", keep, False, "required-property",
         "properties", f"{t} needs at least one of its own properties")
case("required-property--marking-definition--definition_type",
     without(BASE["marking-definition"], "definition_type"), False, "required-property",
     "definition_type")
case("required-property--external-reference-source_name",
     withp(BASE["attack-pattern"], external_references=[{"url": "https://example.com"}]), False,
     "required-property", "external_references[0].source_name")
case("required-property--external-reference-detail",
     withp(BASE["attack-pattern"], external_references=[{"source_name": "capec"}]), False,
     "required-property", "external_references[0].external_id")
case("required-property--kill-chain-phase_name",
     withp(BASE["attack-pattern"], kill_chain_phases=[{"kill_chain_name": "lockheed"}]), False,
     "required-property", "kill_chain_phases[0].phase_name")
case("required-property--extension-type",
     withp(BASE["indicator"], extensions={EXTDEF: {"rank": 5}}), False, "required-property",
     f"extensions.{EXTDEF}.extension_type")

# ---- valid variants that a too-strict validator would refuse ----------------------------
case("valid--custom-type", sdo("x-mitre-tactic", name="Execution", x_mitre_shortname="execution"),
     True, note="custom object types are accepted with the SDO common properties")
case("valid--custom-properties", withp(BASE["indicator"], x_acme_score=7, x_acme_refs_note=""),
     True)
case("valid--custom-property-opaque-values",
     withp(BASE["indicator"], x_mitre_data_source_ref="", x_mitre_list=[{"a": []}]), True,
     note="custom property values are opaque (MITRE ATT&CK)")
case("valid--sco-with-spec-version", withp(BASE["ipv4-addr"], spec_version="2.1"), True)
case("valid--sco-defanged", withp(BASE["domain-name"], defanged=True), True)
case("valid--tlp2-marking-definition", {
    "type": "marking-definition", "spec_version": "2.1",
    "id": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "created": "2022-10-01T00:00:00.000Z", "name": "TLP:AMBER+STRICT",
    "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
        "extension_type": "property-extension", "tlp_2_0": "amber+strict"}}}, True)
case("valid--far-future-valid-until", withp(BASE["indicator"], valid_until="9999-12-31T23:59:59Z"),
     True, note="syntax only for non-version timestamps; the year range is not a STIX rule")
case("valid--timestamp-nanoseconds", withp(BASE["indicator"], modified="2016-05-07T11:22:30.123456789Z"), True)
case("valid--modified-equals-created", withp(BASE["indicator"], modified=T0), True)
case("valid--location-lat-long", withp(without(BASE["location"], "region"), latitude=48.8566,
                                       longitude=2.3522), True)
case("valid--malware-not-family-no-name", withp(without(BASE["malware"], "name"), is_family=False), True)
case("valid--observed-data-objects", withp(without(BASE["observed-data"], "object_refs"), objects={
    "0": {"type": "ipv4-addr", "value": "10.0.0.1"},
    "1": {"type": "network-traffic", "src_ref": "0", "protocols": ["tcp"]}}), True,
     note="the deprecated objects dictionary uses local references")
case("valid--granular-markings", withp(BASE["indicator"], granular_markings=[
    {"selectors": ["pattern"], "marking_ref": TLP_GREEN}, {"selectors": ["pattern"], "lang": "en"}],
    object_marking_refs=[TLP_GREEN]), True)
case("valid--everything-common", withp(BASE["indicator"], created_by_ref=IDENTITY, revoked=False,
     labels=["x"], confidence=100, lang="en", external_references=[
         {"source_name": "capec", "external_id": "CAPEC-163"}],
     kill_chain_phases=[{"kill_chain_name": "lockheed", "phase_name": "recon"}],
     extensions={EXTDEF: {"extension_type": "property-extension", "rank": 5}}), True)
case("valid--max-safe-integer", withp(BASE["indicator"], x_big=9007199254740992,
                                      x_small=-9007199254740992), True)
case("valid--uuid-uppercase", withp(BASE["indicator"], id=IND.upper().replace("INDICATOR", "indicator")), True)
case("valid--nesting-64", withp(BASE["indicator"], x_deep=json.loads("[" * 63 + "1" + "]" * 63)),
     True,
     note="the object itself is level 1, 63 nested lists reach level 64")
case("valid--confidence-zero", withp(BASE["indicator"], confidence=0), True)
case("valid--sighting-count-zero", withp(BASE["sighting"], count=0), True)

# ---- json --------------------------------------------------------------------------------
case("json--malformed", '{"type": "indicator",', False, "json", "$")
case("json--array", "[]", False, "json", "$")
case("json--string", '"indicator"', False, "json", "$")
case("json--trailing-garbage", json.dumps(BASE["indicator"]) + " x", False, "json", "$")
case("json--nesting-65", withp(BASE["indicator"], x_deep=json.loads("[" * 64 + "1" + "]" * 64)),
     False, "json", "$")
case("json--lone-surrogate", '{"type": "x-a\\udc80"}', False, "json", "$")
case("json--number-too-large", '{"type":"x-abc","n":123456789012345678901234567890}', False,
     "json", "$", "not representable in 64 bits at all: refused by the JSON parser")
case("json--duplicate-key", json.dumps(BASE["indicator"])[:-1] +
     ', "object_marking_refs": ["%s"], "object_marking_refs": ["%s"]}' % (TLP_GREEN, TLP_GREEN),
     False, "json", "object_marking_refs", "parsers disagree on which duplicate wins")
case("json--duplicate-nested-key", json.dumps(withp(BASE["indicator"], x_a={"k": 1}))[:-2] +
     ', "k": 2}}', False, "json", "k")
# ---- type-syntax -------------------------------------------------------------------------
for name, t in [("uppercase", "Indicator"), ("short", "ab"), ("leading-dash", "-abc"),
                ("trailing-dash", "abc-"), ("double-dash", "x--abc"), ("underscore", "x_abc"),
                ("long", "x" * 251), ("not-string", 5)]:
    case(f"type-syntax--{name}", withp(BASE["indicator"], type=t), False, "type-syntax", "type")
# ---- id-syntax ---------------------------------------------------------------------------
for name, i in [("short-uuid", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3"),
                ("prefix-mismatch", "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
                ("variant", "indicator--8e2e2d2b-17d4-4cbf-c38f-98ee46b3cd3f"),
                ("version-0", "indicator--8e2e2d2b-17d4-0cbf-938f-98ee46b3cd3f"),
                ("no-separator", "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
                ("not-hex", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cdzz"),
                ("not-string", 17)]:
    case(f"id-syntax--{name}", withp(BASE["indicator"], id=i), False, "id-syntax", "id")
# ---- spec-version ------------------------------------------------------------------------
case("spec-version--missing-on-sdo", without(BASE["indicator"], "spec_version"), False,
     "spec-version", "spec_version")
case("spec-version--missing-on-smo", without(BASE["marking-definition"], "spec_version"), False,
     "spec-version", "spec_version")
case("spec-version--2.0", withp(BASE["indicator"], spec_version="2.0"), False, "spec-version",
     "spec_version")
case("spec-version--number", withp(BASE["relationship"], spec_version=2.1), False,
     "spec-version", "spec_version")
case("spec-version--wrong-on-sco", withp(BASE["url"], spec_version="2.0"), False, "spec-version",
     "spec_version")
# ---- timestamp ---------------------------------------------------------------------------
for name, prop, value in [("no-z", "created", "2016-04-06T20:03:48.000"),
                          ("offset", "created", "2016-04-06T20:03:48.000+01:00"),
                          ("seconds-only", "created", "2016-04-06T20:03:48Z"),
                          ("centiseconds", "modified", "2016-05-07T11:22:30.12Z"),
                          ("bad-day", "modified", "2016-02-30T11:22:30.000Z"),
                          ("lower-t", "created", "2016-04-06t20:03:48.000Z"),
                          ("not-string", "created", 1459973028),
                          ("valid-from", "valid_from", "yesterday"),
                          ("valid-until", "valid_until", "2016-13-01T00:00:00Z")]:
    case(f"timestamp--{name}", withp(BASE["indicator"], **{prop: value}), False, "timestamp", prop)
case("timestamp--report-published", withp(BASE["report"], published="2016"), False, "timestamp",
     "published")
case("timestamp--file-mtime", withp(BASE["file"], mtime="2016-04-06 20:03:48Z"), False,
     "timestamp", "mtime")
case("timestamp--sighting-first-seen", withp(BASE["sighting"], first_seen="2016-04-06T25:00:00Z"),
     False, "timestamp", "first_seen")
# ---- modified-before-created -------------------------------------------------------------
case("modified-before-created--by-a-millisecond",
     withp(BASE["indicator"], modified="2016-04-06T20:03:47.999Z"), False,
     "modified-before-created", "modified")
case("modified-before-created--by-a-nanosecond",
     withp(BASE["indicator"], created="2016-04-06T20:03:48.000000001Z", modified=T0), False,
     "modified-before-created", "modified")
case("modified-before-created--custom", withp(sdo("x-acme-thing"), modified="2015-01-01T00:00:00.000Z"),
     False, "modified-before-created", "modified")
# ---- property-name -----------------------------------------------------------------------
for name, prop in [("uppercase", "x_Acme"), ("hyphen", "x-acme"), ("short", "xa"),
                   ("space", "x acme"), ("long", "x" * 251), ("unicode", "x_\u00e9t\u00e9")]:
    case(f"property-name--{name}", withp(BASE["indicator"], **{prop: 1}), False, "property-name",
         prop)
case("property-name--extension-property",
     withp(BASE["indicator"], extensions={EXTDEF: {"extension_type": "property-extension",
                                                   "Rank": 5}}),
     False, "property-name", f"extensions.{EXTDEF}.Rank")
# ---- empty-list --------------------------------------------------------------------------
case("empty-list--labels", withp(BASE["indicator"], labels=[]), False, "empty-list", "labels")
case("empty-list--object_refs", withp(BASE["report"], object_refs=[]), False, "empty-list",
     "object_refs")
case("empty-list--nested", withp(BASE["indicator"], granular_markings=[
    {"selectors": [], "marking_ref": TLP_GREEN}]), False, "empty-list",
     "granular_markings[0].selectors")
case("empty-list--sco", withp(BASE["network-traffic"], protocols=[]), False, "empty-list",
     "protocols")
case("empty-list--extension", withp(BASE["indicator"], extensions={
    EXTDEF: {"extension_type": "property-extension", "tags": []}}), False, "empty-list",
     f"extensions.{EXTDEF}.tags")
# ---- integer-range -----------------------------------------------------------------------
case("integer-range--positive", withp(BASE["indicator"], x_n=9007199254740993), False,
     "integer-range", "x_n")
case("integer-range--negative", withp(BASE["indicator"], x_n=-9007199254740993), False,
     "integer-range", "x_n")
case("integer-range--uint64", withp(BASE["file"], size=18446744073709551615), False,
     "integer-range", "size")
case("integer-range--nested", withp(BASE["indicator"], x_stats={"a": [1, 2, 2**60]}), False,
     "integer-range", "x_stats")
case("integer-range--number-observed", withp(BASE["observed-data"], number_observed=2**53 + 1),
     False, "integer-range", "number_observed")
# ---- reference ---------------------------------------------------------------------------
case("reference--created_by_ref-not-id", withp(BASE["indicator"], created_by_ref="ACME"), False,
     "reference", "created_by_ref")
case("reference--created_by_ref-not-identity", withp(BASE["indicator"], created_by_ref=MAL),
     False, "reference", "created_by_ref")
case("reference--source_ref", withp(BASE["relationship"], source_ref="indicator--1"), False,
     "reference", "source_ref")
case("reference--object_refs-item", withp(BASE["report"], object_refs=[IND, "nope"]), False,
     "reference", "object_refs[1]")
case("reference--refs-not-list", withp(BASE["report"], object_refs=IND), False, "reference",
     "object_refs")
case("reference--ref-not-string", withp(BASE["sighting"], sighting_of_ref=[IND]), False,
     "reference", "sighting_of_ref")
case("reference--object_marking_refs-not-marking", withp(BASE["indicator"],
                                                         object_marking_refs=[IDENTITY]),
     False, "reference", "object_marking_refs")
case("reference--granular-marking_ref", withp(BASE["indicator"], granular_markings=[
    {"selectors": ["pattern"], "marking_ref": "tlp-green"}]), False, "reference",
     "granular_markings[0].marking_ref")
case("reference--sco-ref", withp(BASE["network-traffic"], src_ref="10.0.0.1"), False,
     "reference", "src_ref")
case("reference--extension-key", withp(BASE["indicator"], extensions={
    "extension-definition--nope": {"extension_type": "property-extension"}}), False,
     "reference", "extensions.extension-definition--nope")
# ---- property-value ----------------------------------------------------------------------
for name, obj, prop in [
        ("confidence-101", withp(BASE["indicator"], confidence=101), "confidence"),
        ("confidence-negative", withp(BASE["indicator"], confidence=-1), "confidence"),
        ("confidence-string", withp(BASE["indicator"], confidence="high"), "confidence"),
        ("revoked-string", withp(BASE["indicator"], revoked="true"), "revoked"),
        ("labels-string", withp(BASE["indicator"], labels="malicious"), "labels"),
        ("labels-numbers", withp(BASE["indicator"], labels=[1, 2]), "labels"),
        ("lang-number", withp(BASE["indicator"], lang=1), "lang"),
        ("defanged-on-sdo", withp(BASE["indicator"], defanged=True), "defanged"),
        ("defanged-string", withp(BASE["url"], defanged="yes"), "defanged"),
        ("is_family-string", withp(BASE["malware"], is_family="true"), "is_family"),
        ("number_observed-zero", withp(BASE["observed-data"], number_observed=0),
         "number_observed"),
        ("number_observed-too-many", withp(BASE["observed-data"], number_observed=1000000000),
         "number_observed"),
        ("opinion-enum", withp(BASE["opinion"], opinion="maybe"), "opinion"),
        ("sighting-count", withp(BASE["sighting"], count=-5), "count"),
        ("port-range", withp(BASE["network-traffic"], dst_port=70000), "dst_port"),
        ("latitude-range", withp(without(BASE["location"], "region"), latitude=91, longitude=0),
         "latitude"),
        ("pattern-not-string", withp(BASE["indicator"], pattern=["a"]), "pattern"),
        ("name-not-string", withp(BASE["attack-pattern"], name=5), "name"),
        ("is_multipart-string", withp(BASE["email-message"], is_multipart="no"), "is_multipart"),
        ("hashes-not-dict", withp(BASE["file"], hashes=["ab"]), "hashes"),
        ("extension_types-enum", withp(BASE["extension-definition"],
                                       extension_types=["new-thing"]), "extension_types"),
        ("extension_type-enum", withp(BASE["indicator"], extensions={
            EXTDEF: {"extension_type": "bogus"}}), f"extensions.{EXTDEF}.extension_type"),
        ("extensions-not-dict", withp(BASE["indicator"], extensions=[EXTDEF]), "extensions"),
        ("external_references-not-list", withp(BASE["indicator"],
                                               external_references={"source_name": "x"}),
         "external_references"),
        ("artifact-both", withp(BASE["artifact"], url="https://example.com/a",
                                hashes={"MD5": "00"}), "url"),
        ("autonomous-system-number", withp(BASE["autonomous-system"], number="AS15139"),
         "number"),
]:
    case(f"property-value--{name}", obj, False, "property-value", prop)
# ---- marking -----------------------------------------------------------------------------
md = BASE["marking-definition"]
case("marking--self-reference", withp(md, object_marking_refs=[md["id"]]), False, "marking",
     "object_marking_refs")
case("marking--granular-both", withp(BASE["indicator"], granular_markings=[
    {"selectors": ["pattern"], "marking_ref": TLP_GREEN, "lang": "en"}]), False, "marking",
     "granular_markings[0]")
case("marking--granular-neither", withp(BASE["indicator"], granular_markings=[
    {"selectors": ["pattern"]}]), False, "marking", "granular_markings[0]")
case("marking--granular-no-selectors", withp(BASE["indicator"], granular_markings=[
    {"marking_ref": TLP_GREEN}]), False, "marking", "granular_markings[0].selectors")
case("marking--granular-not-object", withp(BASE["indicator"], granular_markings=["x"]), False,
     "marking", "granular_markings[0]")
case("marking--granular-not-list", withp(BASE["indicator"], granular_markings={"selectors": ["a"]}),
     False, "marking", "granular_markings")
case("marking--selector-missing-property", withp(BASE["indicator"], granular_markings=[
    {"selectors": ["pattern", "description"], "marking_ref": TLP_GREEN}]), False, "marking",
     "granular_markings[0].selectors[1]")
case("marking--selector-index-out-of-range", withp(BASE["indicator"], labels=["a"],
     granular_markings=[{"selectors": ["labels.[1]"], "marking_ref": TLP_GREEN}]), False,
     "marking", "granular_markings[0].selectors[0]")
case("marking--selector-index-on-string", withp(BASE["indicator"], granular_markings=[
    {"selectors": ["pattern.[0]"], "marking_ref": TLP_GREEN}]), False, "marking",
     "granular_markings[0].selectors[0]")
case("marking--selector-empty-step", withp(BASE["indicator"], granular_markings=[
    {"selectors": ["pattern."], "marking_ref": TLP_GREEN}]), False, "marking",
     "granular_markings[0].selectors[0]")
case("valid--selectors-nested", withp(BASE["indicator"], labels=["a", "b"],
     external_references=[{"source_name": "capec", "external_id": "CAPEC-163"}],
     granular_markings=[{"selectors": ["labels.[1]", "external_references.[0].source_name",
                                       "external_references"], "marking_ref": TLP_GREEN}]),
     True)
case("marking--granular-self", withp(md, granular_markings=[
    {"selectors": ["definition"], "marking_ref": md["id"]}]), False, "marking",
     "granular_markings[0].marking_ref")

os.makedirs(OUT, exist_ok=True)
for name, c in cases.items():
    with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(c, f, indent=1, ensure_ascii=False)
        f.write("\n")
print(f"{len(cases)} cases written to {OUT}")
