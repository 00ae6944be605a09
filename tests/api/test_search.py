"""The search contract over HTTP: one set of names (filters, facets, sort keys, CLI options), unknown parameters
refused, ranges, canonical case, vendor and model names as text, tasks found by body part."""

from __future__ import annotations

from api.conftest import OPEN_TASK, auth
from medal_catalog.search.fields import DATE_FIELDS, FACET_FIELDS, RANGE_FIELDS, RANGE_PARAMETERS, SORT_FIELDS


def keys(body) -> set[str]:
    return {f"{hit['kind']}:{hit['id']}" for hit in body["hits"]}


def test_an_unknown_or_misspelt_parameter_is_a_400_naming_it_and_the_allowed_ones(client):
    """?modalty=CT is refused, not ignored: the answer names it, suggests modality and lists every parameter."""
    response = client.get("/api/search", params={"modalty": "CT"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "'modalty'" in detail and "did you mean 'modality'" in detail
    assert all(name in detail for name in (*FACET_FIELDS, *RANGE_PARAMETERS, "facet", "sort", "page", "size"))
    assert "'access'" in client.get("/api/search", params={"access": "open"}).json()["detail"]


def test_openapi_lists_exactly_the_parameters_the_route_accepts(client):
    """OpenAPI's parameters of /api/search are the filters (facet names), the range bounds and paging; each is
    accepted."""
    from medal_catalog.api.routes.search import PARAMETERS

    spec = client.get("/api/openapi.json").json()
    listed = [p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]]
    assert listed == list(PARAMETERS)
    assert {"slice_thickness_min", "slice_thickness_max", "created_min", "subject_count_max"} <= set(listed)
    for name in listed:
        value = {"page": "1", "size": "5", "sort": "relevance", "facet": "type"}.get(name, "x")
        if name in RANGE_PARAMETERS:
            value = "2020-01-01" if RANGE_PARAMETERS[name][0] in DATE_FIELDS else "1"
        assert client.get("/api/search", params={name: value}).status_code == 200, name


def test_the_cli_options_are_the_http_parameters(client):
    """`medal search` has one option per HTTP filter and range bound, the same name with dashes, and the same
    facets and sort keys."""
    from medal_catalog.api.routes.search import PARAMETERS
    from medal_catalog.cli import main

    options = {p.name for p in main.commands["search"].params}
    assert set(PARAMETERS) - {"q"} <= options | {"facet"}
    assert {"facets"} <= options
    flags = {flag for p in main.commands["search"].params for flag in p.opts}
    assert {f"--{name.replace('_', '-')}" for name in (*FACET_FIELDS, *RANGE_PARAMETERS)} <= flags
    # A facet is a filter is a facet count: ?access_level= narrows what facet=access_level counts.
    admin = auth(client, "chair")
    counted = client.get("/api/search", params={"facet": "access_level", "size": 1}, headers=admin).json()
    for bucket in counted["facets"]["access_level"]:
        narrowed = client.get("/api/search", params={"access_level": bucket["value"]}, headers=admin).json()
        assert narrowed["total"] == bucket["count"]
    assert set(SORT_FIELDS) >= set(RANGE_FIELDS)


def test_range_filters_over_http(client):
    """slice_thickness_min/max, field_strength_min, subject_count_max, created_min keep what lies inside,
    inclusively; a bound that is not a number or a date is a 400."""
    admin = auth(client, "chair")

    def found(**params):
        return keys(client.get("/api/search", params={"size": 100, **params}, headers=admin).json())

    thick = found(slice_thickness_min=4.5, slice_thickness_max=5.0, type="ImagingSeries")
    thin = found(slice_thickness_max=1.2, type="ImagingSeries")
    assert thick and thin and not thick & thin
    everything = found(type="ImagingSeries")
    assert thick | thin <= everything and found(slice_thickness_min=1000) == set()
    three_tesla = found(field_strength_min=3, field_strength_max=3)
    assert (
        three_tesla and three_tesla <= found(field_strength_min=2.9) and not three_tesla & found(field_strength_max=2)
    )
    assert found(created_min="2000-01-01") >= found(created_min="2020-01-01")
    assert client.get("/api/search", params={"slice_thickness_min": "thick"}).status_code == 400
    assert client.get("/api/search", params={"created_max": "yesterday"}).status_code == 400


def test_keyword_filters_ignore_case_and_text_finds_scanner_models(client):
    """modality=ct and body_part=chest answer as CT and CHEST do (as the facets show them); free text finds a
    scanner model; body_part=CHEST finds the lung task through its dataset."""
    admin = auth(client, "chair")

    def get(**params):
        return client.get("/api/search", params={"size": 100, **params}, headers=admin).json()

    upper, lower = get(modality="CT", body_part="CHEST"), get(modality="ct", body_part="chest")
    assert upper["total"] > 0 and keys(upper) == keys(lower)
    assert "BRAIN" in {b["value"] for b in get(facet="body_part")["facets"]["body_part"]}
    assert get(body_part="brain")["total"] == get(body_part="BRAIN")["total"] > 0
    assert get(type="benchmarktask")["total"] == get(type="BenchmarkTask")["total"] > 0
    assert get(q="SOMATOM")["total"] > 0 and get(q="discovery")["total"] > 0
    assert f"BenchmarkTask:{OPEN_TASK}" in keys(get(body_part="CHEST"))
