"""The register search answered from the bigram index finds exactly what LIKE finds, on every write path."""

import pytest
from django.db import connection
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shian.registry import search, selectors, services
from shian.registry.choices import BusinessType
from shian.registry.filters import BusinessFilter, apply_business_filter
from shian.registry.imports import import_businesses
from shian.registry.models import Business, Licence
from shian.registry.search import IndexedCandidates, like_q, search_businesses
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, uscc_for
from shian.registry.tests.test_imports import csv_bytes, row

# name, USCC, address: Chinese text, but also what people type or paste into a register
FIXTURE = [
    ("海曙区老王饺子馆", uscc_for(1), "浙江省宁波市海曙区中山西路12号"),
    ("宁波饺子王", uscc_for(2, "330205"), "浙江省宁波市江北区人民路8号"),
    ("江北小笼包 总店", uscc_for(3, "330205"), "江北区 人民路 100 号"),
    ("曙光超市", uscc_for(4), "海曙区曙光路1号"),
    ("ＡＢＣ超市（海曙店）", uscc_for(5), "海曙区鼓楼街道公园路５号"),
    ("abc便利店", uscc_for(6), "鄞州区abc路7号"),
    ("Café 咖啡 Straße", uscc_for(7), "海曙区 Weißstraße 3号"),
    ("100%纯牛奶_专卖", uscc_for(8), "海曙区百分百路50%号"),
    ("路边摊\\小吃", uscc_for(9), "镇海区后台路_9号"),
    ("ıİſKςσΣﬁµ外文店", "91330203MA2AbCdE1X", "北仑区　新碶街道"),  # lower-case USCC letters stored as-is
    ("饺饺饺子", "9133020312345678XY", "奉化区饺子街"),
    ("海曙", "913302037777777777", "海"),
    ('"引号"店\'', "bad-uscc_%", "余姚市 '单引号' 路"),
    ("按摩店", uscc_for(14), "慈溪市 massage 路"),  # the bigrams of "ßa".upper(), not "ßa" itself
]
CJK_NOT_IN_FIXTURE = "龘鑫淼"
EXTRA = "aAbBcCzZ019%_\\ 　'\"ＡａＢｂ１ßẞıİſKkςσΣﬁµÄä-()（）"
ALPHABET = sorted({c for fields in FIXTURE for value in fields for c in value} | set(EXTRA + CJK_NOT_IN_FIXTURE))
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz%_"}


@pytest.fixture
def register(city):
    grids = [city["haishu_grid"], city["jiangbei_grid"]]
    return [
        BusinessFactory(name=name, uscc=uscc, address=address, region=grids[i % 2])
        for i, (name, uscc, address) in enumerate(FIXTURE)
    ]


def ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def assert_same_as_like(term: str) -> None:
    everyone = Business.objects.all()
    assert ids(search_businesses(everyone, term)) == ids(everyone.filter(like_q(term))), repr(term)


@st.composite
def from_register(draw) -> str:
    """A piece of a stored name, USCC or address, maybe re-cased, widened, or with a character added."""
    value = draw(st.sampled_from([v for fields in FIXTURE for v in fields]))
    start = draw(st.integers(0, len(value) - 1))
    term = value[start : start + draw(st.integers(1, 8))]
    change = draw(st.sampled_from(["as is", "lower", "upper", "full width", "insert", "append"]))
    if change == "lower":
        term = term.lower()
    elif change == "upper":
        term = term.upper()
    elif change == "full width":
        term = "".join(FULL_WIDTH.get(c, c) for c in term)
    elif change in ("insert", "append"):
        at = draw(st.integers(0, len(term))) if change == "insert" else len(term)
        term = term[:at] + draw(st.sampled_from(ALPHABET)) + term[at:]
    return term


terms = st.one_of(
    from_register(),
    st.text(alphabet=ALPHABET, min_size=1, max_size=6),
    st.text(alphabet=ALPHABET, min_size=2, max_size=2),  # where the index alone answers (IndexIsExact)
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1, max_size=4),
)


@pytest.mark.django_db
def test_indexed_search_finds_exactly_what_like_finds(register):
    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(terms)
    def check(term):
        assert_same_as_like(term)

    check()


@pytest.mark.parametrize(
    "term",
    [
        "海曙",
        "饺子",
        "2330203",
        "ma2abcde",  # a lower-case USCC fragment
        "abc",
        "ＡＢＣ",
        "ａｂｃ",  # full-width lower case: PostgreSQL's UPPER folds it, SQLite's LIKE does not
        "100%",
        "%纯",
        "_专",
        "路_",
        "%_",
        "\\小",
        "人民路 1",
        "区　新",  # ideographic space
        "straße",
        "STRASSE",  # Python upper-cases ß to SS; only the USCC side sees term.upper()
        "ss",
        "ı",
        "Kı",
        "饺饺",
        "ßa",  # two characters, but three once upper-cased: not exact, LIKE decides
        "ﬁ1",
        "ıi",
        "Σς",
        "Aa",
        "海",  # one character: LIKE alone
        "%",
        "_",
        "龘鑫",  # in no business
        '"引号"',
        "'单引号'",
        "bad-uscc_%",
    ],
)
def test_examples(register, term):
    assert_same_as_like(term)


def test_the_index_answers_two_character_terms(register):
    everyone = Business.objects.all()
    candidates = ids(everyone.filter(IndexedCandidates("饺子")))
    assert candidates == {b.pk for b in register if "饺子" in b.name + b.address}  # no bigram false positive here
    # every bigram of the term present, the term itself absent: the index's candidate, LIKE's reject
    ravioli = next(b for b in register if b.name == "饺饺饺子")
    assert ravioli.pk in ids(everyone.filter(IndexedCandidates("饺饺饺饺")))
    assert ravioli.pk not in ids(search_businesses(everyone, "饺饺饺饺"))
    sql = str(search_businesses(everyone, "海曙").query)
    assert ("registry_business_search MATCH" if connection.vendor == "sqlite" else "@@ registry_query_bigrams") in sql
    assert "MATCH" not in str(search_businesses(everyone, "海").query)


def test_the_filter_and_the_api_use_it(register):
    f = BusinessFilter(q="  海曙 ")
    qs = apply_business_filter(Business.objects.all(), f)
    assert ids(qs) == ids(Business.objects.filter(like_q("海曙")))
    assert "IN (SELECT rowid" in str(qs.query) or "@@" in str(qs.query)


def test_query_plan_uses_the_index(register):
    # unordered: in the model's name order, a tiny table is read faster along the name index (registry 0009)
    qs = search_businesses(Business.objects.order_by(), "海曙")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")  # the fixture table is tiny
            plan = qs.explain()
    else:
        plan = qs.explain()
    expected = "registry_business_bigrams_gin" if connection.vendor == "postgresql" else "registry_business_search"
    assert expected in plan
    if connection.vendor == "postgresql":  # a two-character term: the index is exact, no LIKE left to run
        assert "~~" not in plan
        assert "~~" in search_businesses(Business.objects.all(), "海曙区").explain()


def test_every_write_path_keeps_the_index_current(users, city):
    grid = city["haishu_grid"]
    created = services.business_create(
        actor=users["haishu"],
        name="甬江鱼丸店",
        uscc=uscc_for(901),
        type=BusinessType.CATERING,
        address="海曙区望京路3号",
        region=grid,
    )
    assert ids(search_businesses(Business.objects.all(), "鱼丸")) == {created.pk}
    services.business_update(actor=users["haishu"], business=created, expected_version=1, name="甬江汤圆店")
    assert not ids(search_businesses(Business.objects.all(), "鱼丸"))
    assert ids(search_businesses(Business.objects.all(), "汤圆")) == {created.pk}

    bulk = Business.objects.bulk_create(
        [
            Business(name=f"批量烧烤{i}", uscc=uscc_for(910 + i), type="catering", address="路", region=grid)
            for i in (1, 2)
        ]
    )
    assert ids(search_businesses(Business.objects.all(), "烧烤")) == {b.pk for b in bulk}
    bulk[0].address = "江北区烤鸭巷"
    Business.objects.bulk_update(bulk, ["address"])
    assert ids(search_businesses(Business.objects.all(), "烤鸭")) == {bulk[0].pk}
    Business.objects.filter(pk=bulk[1].pk).update(name="改名火锅")
    assert ids(search_businesses(Business.objects.all(), "烧烤")) == {bulk[0].pk}
    Business.objects.filter(pk=bulk[1].pk).update(staffing_missing="officer")  # other columns: untouched
    assert ids(search_businesses(Business.objects.all(), "火锅")) == {bulk[1].pk}
    Business.objects.filter(pk=bulk[1].pk).delete()
    assert not ids(search_businesses(Business.objects.all(), "火锅"))

    result = import_businesses(data=csv_bytes([row(1, name="导入麻辣烫")]), filename="a.csv", actor=users["haishu"])
    assert result.ok
    imported = Business.objects.get(uscc=uscc_for(50_001))
    assert ids(search_businesses(Business.objects.all(), "麻辣")) == {imported.pk}
    result = import_businesses(data=csv_bytes([row(1, name="导入酸辣粉")]), filename="b.csv", actor=users["haishu"])
    assert result.ok and result.run.updated == 1  # the bulk update path
    assert not ids(search_businesses(Business.objects.all(), "麻辣"))
    assert ids(search_businesses(Business.objects.all(), "酸辣")) == {imported.pk}
    services.business_delete(actor=users["haishu"], business=created)
    assert not ids(search_businesses(Business.objects.all(), "汤圆"))


class _Editor:
    """What ``search.install`` needs of a schema editor (a real one cannot open inside a test's transaction)."""

    connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_install_fills_the_index_from_existing_rows(register):
    """What migration 0003 does on a database that already has businesses (and what repairs the index)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO registry_business_search (registry_business_search) VALUES ('delete-all')")
            assert not ids(search_businesses(Business.objects.all(), "饺子"))  # the index answers, not a scan
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no DDL on a table with pending FK checks
            cursor.execute("DROP INDEX registry_business_bigrams_gin")
    search.install(_Editor())
    assert ids(search_businesses(Business.objects.all(), "饺子")) == ids(Business.objects.filter(like_q("饺子")))
    assert_same_as_like("海曙")
    test_query_plan_uses_the_index(register)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps its index with triggers")
@pytest.mark.django_db
def test_sqlite_triggers_are_installed():
    """Django rebuilds a SQLite table for most field changes and drops its triggers: a migration that
    alters registry_business must run ``search.install`` again, or this fails."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'registry_business'")
        assert set(search.SQLITE_TRIGGERS) <= {r[0] for r in cursor.fetchall()}


@pytest.mark.django_db
def test_licence_search_finds_what_it_found_before(register, users):
    for i, business in enumerate(register):
        LicenceFactory(business=business, number=f"JY2330203{i:06d}{'x' if i % 2 else '1'}")
    admin = users["admin"]

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(terms, st.sampled_from(["jy2", "0000", "03000001", "饺子", "海曙", "ß"])))
    def check(term):
        before = Licence.objects.filter(Q(number__icontains=term) | Q(business__name__icontains=term))
        assert ids(selectors.licence_list(admin, q=term)) == ids(before), repr(term)

    check()


@pytest.mark.django_db
def test_several_words_must_all_match(city):
    from shian.registry.filters import BusinessFilter, apply_business_filter
    from shian.registry.models import Business

    hit = BusinessFactory(name="三江饺子馆", address="海曙区三江路1号", region=city["haishu_grid"])
    BusinessFactory(name="三江面馆", address="海曙区三江路2号", region=city["haishu_grid"])
    BusinessFactory(name="四明饺子", address="江北区人民路3号", region=city["haishu_grid"])
    for q in ("三江 饺子", "饺子\u3000三江", "  三江   饺子馆 "):
        found = apply_business_filter(Business.objects.all(), BusinessFilter(q=q))
        assert list(found) == [hit], q
