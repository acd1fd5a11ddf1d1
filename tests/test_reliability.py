"""Agreement: Krippendorff's alpha against published values and an independent implementation,
the bootstrap, percent and per-category agreement, the coder matrix and disagreements."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medialens import reliability as rel

NA = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers × 12 units.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]
# The 3 coders × 15 units example of the krippendorff package's documentation.
CASTRO = [
    [NA, NA, NA, NA, NA, 3, 4, 1, 2, 1, 1, 3, 3, NA, 3],
    [1, NA, 2, 1, 3, 3, 4, 3, NA, NA, NA, NA, NA, NA, NA],
    [NA, NA, 2, 1, 3, 4, 4, NA, 2, 1, 1, 3, 3, NA, 4],
]


def long(matrix, coders=None) -> pd.DataFrame:
    """Coders × units matrix (None = missing) -> long table; missing cells kept as rows with NaN."""
    coders = coders or [f"c{i + 1}" for i in range(len(matrix))]
    rows = [
        {"unit_id": f"u{j + 1:02d}", "coder": coders[i], "value": v}
        for i, row in enumerate(matrix)
        for j, v in enumerate(row)
    ]
    return pd.DataFrame(rows)


def reference_alpha(matrix, level: str) -> float:
    """Independent alpha, written from Krippendorff (2011): coincidences by looping over the
    ordered pairs of values within each unit, then
    alpha = 1 - (n.. - 1) * sum o_ck d2_ck / sum n_c n_k d2_ck."""
    n_units = len(matrix[0])
    units = []
    for j in range(n_units):
        vals = [row[j] for row in matrix if row[j] is not None and not (isinstance(row[j], float) and np.isnan(row[j]))]
        if len(vals) >= 2:
            units.append(vals)
    domain = sorted({v for vals in units for v in vals})
    o = {(c, k): 0.0 for c in domain for k in domain}
    for vals in units:
        m = len(vals)
        for a, b in itertools.permutations(range(m), 2):
            o[(vals[a], vals[b])] += 1.0 / (m - 1)
    n_c = {c: sum(o[(c, k)] for k in domain) for c in domain}
    n = sum(n_c.values())

    def d2(c, k):
        if level == "nominal":
            return 0.0 if c == k else 1.0
        if level == "ordinal":
            lo, hi = sorted((domain.index(c), domain.index(k)))
            return (sum(n_c[domain[g]] for g in range(lo, hi + 1)) - (n_c[c] + n_c[k]) / 2) ** 2
        if level == "interval":
            return float(c - k) ** 2
        return 0.0 if c + k == 0 else ((c - k) / (c + k)) ** 2

    observed = sum(o[(c, k)] * d2(c, k) for c in domain for k in domain)
    expected = sum(n_c[c] * n_c[k] * d2(c, k) for c in domain for k in domain)
    return 1.0 - (n - 1) * observed / expected


# --------------------------------------------------------------------------------------------
# Published values
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "level, expected", [("nominal", 0.7434), ("ordinal", 0.8154), ("interval", 0.8491), ("ratio", 0.7974)]
)
def test_krippendorff_2011_example(level, expected):
    data = rel.reliability_data(long(K2011), level=level)
    assert round(rel.alpha(data), 4) == expected
    assert round(reference_alpha(K2011, level), 4) == expected
    table = rel.agreement(long(K2011), level=level, n_bootstrap=0).table
    assert round(table["alpha"].iloc[0], 4) == expected


@pytest.mark.parametrize("level, expected", [("nominal", 0.691358), ("interval", 0.810845)])
def test_krippendorff_package_documentation_example(level, expected):
    data = rel.reliability_data(long(CASTRO), level=level)
    assert round(rel.alpha(data), 6) == expected
    assert round(reference_alpha(CASTRO, level), 6) == expected


def test_ordinal_text_labels_follow_the_given_order():
    labels = ["very low", "low", "mid", "high", "very high"]
    as_text = [[labels[v - 1] if v is not None else None for v in row] for row in K2011]
    data = rel.reliability_data(long(as_text), level="ordinal", values=labels)
    assert round(rel.alpha(data), 4) == 0.8154
    # the same labels in alphabetical order would be another variable: refuse to guess
    with pytest.raises(ValueError, match="needs the values in their order"):
        rel.reliability_data(long(as_text), level="ordinal")


def test_module_coincidences_match_the_reference_alpha():
    for level in rel.LEVELS:
        data = rel.reliability_data(long(K2011), level=level)
        o = rel.coincidences(data.counts)
        values = data.numeric_values if level in ("interval", "ratio") else np.arange(len(data.values), dtype=float)
        a = rel._alpha_from_coincidences(o[None], level, values)[0]
        assert a == pytest.approx(reference_alpha(K2011, level), abs=1e-12)
    assert rel.coincidences(rel.reliability_data(long(K2011)).counts).sum() == 40  # n.. in Krippendorff (2011)


# --------------------------------------------------------------------------------------------
# Package against the independent implementation
# --------------------------------------------------------------------------------------------
def _random_matrix(rng, n_coders, n_units, n_values, p_missing):
    m = rng.integers(1, n_values + 1, size=(n_coders, n_units)).astype(object)
    m[rng.random((n_coders, n_units)) < p_missing] = None
    return m.tolist()


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_coders=st.integers(2, 5),
    n_units=st.integers(2, 25),
    n_values=st.integers(2, 6),
    p_missing=st.sampled_from([0.0, 0.2, 0.5]),
    level=st.sampled_from(rel.LEVELS),
)
def test_package_and_independent_implementation_agree(seed, n_coders, n_units, n_values, p_missing, level):
    matrix = _random_matrix(np.random.default_rng(seed), n_coders, n_units, n_values, p_missing)
    try:
        data = rel.reliability_data(long(matrix), level=level)
        a = rel.alpha(data)
    except ValueError:
        return  # no pairable unit or no variation: the reference is undefined too
    assert a == pytest.approx(reference_alpha(matrix, level), abs=1e-9)


# --------------------------------------------------------------------------------------------
# Bootstrap
# --------------------------------------------------------------------------------------------
def _simulated(n_units, n_coders=2, p_agree=0.8, seed=1, n_values=3):
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, n_values + 1, n_units)
    rows = []
    for _ in range(n_coders):
        noise = rng.integers(1, n_values + 1, n_units)
        rows.append(np.where(rng.random(n_units) < p_agree, truth, noise).tolist())
    return long(rows)


@pytest.mark.parametrize("method", ["pairs", "units"])
def test_bootstrap_interval_contains_the_estimate_and_is_seeded(method):
    codes = _simulated(60)
    r1 = rel.agreement(codes, n_bootstrap=500, random_state=3, bootstrap=method)
    r2 = rel.agreement(codes, n_bootstrap=500, random_state=3, bootstrap=method)
    row = r1.table.iloc[0]
    assert row["ci_low"] <= row["alpha"] <= row["ci_high"]
    pd.testing.assert_frame_equal(r1.table, r2.table)
    assert len(r1.resamples) == 500 and np.all(np.diff(r1.resamples[np.isfinite(r1.resamples)]) >= 0)
    other = rel.agreement(codes, n_bootstrap=500, random_state=4, bootstrap=method).table.iloc[0]
    assert (other["ci_low"], other["ci_high"]) != (row["ci_low"], row["ci_high"])


@pytest.mark.parametrize("method", ["pairs", "units"])
def test_bootstrap_interval_narrows_as_units_grow(method):
    widths = []
    for n in (20, 80, 320):
        row = rel.agreement(_simulated(n, n_values=8), n_bootstrap=1000, random_state=0, bootstrap=method).table.iloc[0]
        assert row["ci_low"] <= row["alpha"] <= row["ci_high"]
        widths.append(row["ci_high"] - row["ci_low"])
    assert widths[0] > widths[1] > widths[2]


def test_pair_draws_follow_hayes_and_krippendorff():
    data = rel.reliability_data(long(K2011))
    o = rel.coincidences(data.counts)
    q = int((o > 0).sum())
    _, m = rel.bootstrap_pairs(data, n_bootstrap=10)
    assert m == int(min(25 * q, (4 - 1) * 40 / 2))  # n.. = 40 pairable values, 4 coders


def test_bootstrap_pairs_mean_is_close_to_alpha():
    data = rel.reliability_data(_simulated(400, n_coders=3), level="nominal")
    alphas, _ = rel.bootstrap_pairs(data, n_bootstrap=4000, random_state=0, draws=5000)
    assert alphas.mean() == pytest.approx(rel.alpha(data), abs=0.01)


def test_bootstrap_units_mean_is_close_to_alpha_for_every_level():
    codes = _simulated(300, n_coders=3, n_values=5)
    for level in rel.LEVELS:
        data = rel.reliability_data(codes, level=level)
        alphas = rel.bootstrap_units(data, n_bootstrap=400, random_state=0)
        assert np.nanmean(alphas) == pytest.approx(rel.alpha(data), abs=0.03)


def test_resample_without_variation_counts_as_zero():
    # one category only agreed on, the rest disagreement: draws that are all (1,1) give 0, not 1
    codes = long([[1, 1, 2], [1, 1, 1]])
    data = rel.reliability_data(codes)
    alphas, m = rel.bootstrap_pairs(data, n_bootstrap=2000, random_state=0, draws=1)
    assert m == 1 and alphas.max() <= 0.0 + 1e-12


# --------------------------------------------------------------------------------------------
# The agreement table and verdict
# --------------------------------------------------------------------------------------------
def test_agreement_table_and_notes():
    r = rel.agreement(long(K2011), level="nominal", n_bootstrap=200, random_state=0)
    row = r.table.iloc[0]
    assert row["n_units"] == 11 and row["n_values"] == 40 and row["n_coders"] == 4
    assert row["verdict"] == "tentative"
    assert 0 <= row["q_800"] <= 1 and row["q_667"] <= row["q_800"]
    assert any("tentative" in n for n in r.notes)
    assert any("1 unit(s) coded by only one coder" in n for n in r.notes)
    assert any("Hayes & Krippendorff" in n for n in r.notes)


@pytest.mark.parametrize("a, word", [(0.8, "reliable"), (0.95, "reliable"), (0.7999, "tentative"),
                                     (0.667, "tentative"), (0.6669, "not reliable"), (-0.2, "not reliable"),
                                     (float("nan"), "undefined")])
def test_verdict_thresholds(a, word):
    assert rel.verdict(a) == word


def test_percent_agreement_counts_every_pair_of_coders():
    # unit 1: 3 coders all agree (3 pairs agree); unit 2: a, a, b (1 of 3 pairs agree); unit 3: one coder
    codes = long([["x", "x", "y"], ["x", "x", NA], ["x", "y", NA]])
    row = rel.agreement(codes, n_bootstrap=0).table.iloc[0]
    assert row["percent_agreement"] == pytest.approx(4 / 6)


def test_category_agreement():
    codes = long([["x", "x", "y", "z"], ["x", "y", "y", "z"]])
    t = rel.category_agreement(codes).table.set_index("value")
    assert t.loc["x", "n_codes"] == 3 and t.loc["y", "n_codes"] == 3 and t.loc["z", "n_codes"] == 2
    assert t.loc["z", "agreement"] == 1.0
    assert t.loc["x", "agreement"] == pytest.approx(2 / 3)  # o_xx = 2, n_x = 3
    # binary alpha of z against the rest equals the reference on the collapsed codes
    collapsed = [["z" if v == "z" else "other" for v in row] for row in [["x", "x", "y", "z"], ["x", "y", "y", "z"]]]
    num = [[1 if v == "z" else 0 for v in row] for row in collapsed]
    assert t.loc["z", "alpha"] == pytest.approx(reference_alpha(num, "nominal"), abs=1e-12)


def test_coder_matrix():
    codes = long([[1, 2, 3, 1], [1, 2, 1, NA], [1, 3, 3, 1]], coders=["ann", "bob", "cas"])
    r = rel.coder_matrix(codes, level="nominal")
    assert list(r.table.index) == ["ann", "bob", "cas"]
    assert r.table.loc["ann", "bob"] == pytest.approx(2 / 3)
    assert r.table.loc["ann", "cas"] == pytest.approx(3 / 4)
    assert r.n_units.loc["ann", "bob"] == 3 and r.n_units.loc["bob", "bob"] == 3
    assert np.isnan(r.table.loc["ann", "ann"])
    pair = r.pairs.set_index(["coder_a", "coder_b"]).loc[("ann", "cas")]
    assert pair["alpha"] == pytest.approx(reference_alpha([[1, 2, 3, 1], [1, 3, 3, 1]], "nominal"))


def test_disagreements_for_adjudication():
    codes = long([["a", "b", "a", NA], ["a", "c", "b", "a"], ["a", "b", NA, NA]], coders=["x", "y", "z"])
    units = pd.DataFrame({"unit_id": ["u01", "u02", "u03", "u04"], "text": ["t1", "t2", "t3", "t4"]})
    r = rel.disagreements(codes, units=units)
    t = r.table
    assert list(t["unit_id"]) == ["u02", "u03"]
    assert list(t.columns) == ["unit_id", "text", "x", "y", "z", "n_coders", "n_distinct", "majority"]
    assert t.set_index("unit_id").loc["u02", "majority"] == "b"
    assert t.set_index("unit_id").loc["u03", "majority"] == ""
    assert t.set_index("unit_id").loc["u03", "z"] == ""
    assert r.notes == ("2 of 3 units coded by two or more coders have differing values.",)


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------
def test_bad_inputs_get_one_line_errors():
    ok = long([[1, 2], [1, 2]])
    cases = [
        (lambda: rel.agreement(ok, level="metric"), "level = 'metric'"),
        (lambda: rel.agreement(ok.drop(columns="coder")), "missing column"),
        (lambda: rel.agreement(pd.concat([ok, ok.iloc[:1]])), "coded unit 'u01' 2 times"),
        (lambda: rel.agreement(ok, values=[1, 3]), "value 2 is not in values"),
        (lambda: rel.agreement(ok, values=[1, 1, 2]), "listed twice"),
        (lambda: rel.agreement(long([["a", "b"], ["a", "b"]]), level="interval"), "'a' is not a number"),
        (lambda: rel.agreement(long([[-1, 2], [1, 2]]), level="ratio"), "negative"),
        (lambda: rel.agreement(long([[1, 1], [1, 1]])), "at least two possible values"),
        (lambda: rel.agreement(ok, n_bootstrap=-1), "n_bootstrap = -1"),
        (lambda: rel.agreement(ok, n_bootstrap=1.5), "n_bootstrap = 1.5: must be a whole number"),
        (lambda: rel.agreement(ok, random_state=-1), "random_state = -1: must be a whole number >= 0"),
        (lambda: rel.agreement(ok, ci=95), "ci = 95"),
        (lambda: rel.agreement(ok, bootstrap="jackknife"), "bootstrap = 'jackknife'"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message) as err:
            call()
        assert "\n" not in str(err.value)


def test_empty_strings_are_missing():
    codes = long([[1, 2, ""], [1, 2, 3]])
    row = rel.agreement(codes, n_bootstrap=0).table.iloc[0]
    assert row["n_units"] == 2


def test_index_of_the_codes_table_does_not_matter():
    codes = pd.concat([long(K2011[:2]), long(K2011[2:], coders=["c3", "c4"])])  # repeated index labels
    for level in rel.LEVELS:
        assert round(rel.agreement(codes, level=level, n_bootstrap=0).table["alpha"].iloc[0], 4) == round(
            reference_alpha(K2011, level), 4
        )


def test_pairs_bootstrap_says_when_the_draws_are_capped():
    notes = rel.agreement(_simulated(2000), n_bootstrap=50).notes
    assert any("does not narrow further" in n for n in notes)
    assert not any("does not narrow further" in n for n in rel.agreement(_simulated(20), n_bootstrap=50).notes)


def test_agreement_reports_undefined_alpha_with_its_reason_and_percent_agreement():
    same = rel.agreement(long([["neutral", "neutral"], ["neutral", "neutral"], ["neutral", NA]]),
                         values=["favour", "neutral"], n_bootstrap=50)
    row = same.table.iloc[0]
    assert np.isnan(row["alpha"]) and np.isnan(row["ci_low"]) and row["verdict"] == "undefined"
    assert (row["n_units"], row["n_values"], row["n_coders"], row["percent_agreement"]) == (2, 5, 3, 1.0)
    assert same.notes[0] == "Krippendorff's alpha (nominal) is undefined: no variation in the 5 pairable values (every one is 'neutral')."
    assert same.notes[1] == "Percent agreement 1.000 over 2 units coded by two or more of 3 coders (5 pairable values)."
    assert len(same.resamples) == 0
    alone = rel.agreement(long([[1, NA], [NA, 2]]))
    row = alone.table.iloc[0]
    assert np.isnan(row["alpha"]) and np.isnan(row["percent_agreement"]) and row["n_units"] == 0
    assert alone.notes == ("Krippendorff's alpha (nominal) is undefined: no unit coded by two coders (2 unit(s), 2 coder(s)); "
                           "alpha needs overlapping codes.",)
    with pytest.raises(ValueError, match="no variation"):  # alpha() itself still refuses
        rel.alpha(rel.reliability_data(long([[1, 1], [1, 1]]), values=[1, 2]))


def test_diagnostics_run_when_every_coder_gives_one_value_or_there_is_one_coder():
    same = long([["neutral", "neutral"], ["neutral", "neutral"]])
    dis = rel.disagreements(same, values=["favour", "neutral"])
    assert dis.table.empty and dis.notes == ("0 of 2 units coded by two or more coders have differing values.",)
    one = rel.coder_matrix(long([["a", "b"]]), values=["a", "b"])
    assert one.pairs.empty and one.pairs.columns.tolist() == ["coder_a", "coder_b", "n_units", "agreement", "alpha"]
