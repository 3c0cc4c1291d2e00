"""Registry API: businesses, licences, staff, imports, the 两员 KPI. Same scoping as the UI."""

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import BeforeValidator

from shian.core.api import AUTH, JobOut, job_out
from shian.core.fields import masked
from shian.core.limits import stored_in
from shian.core.models import Region
from shian.core.policy import ADD, CHANGE, DELETE, VIEW, get_object_for_user, operation
from shian.core.reveal import REVEAL, reveal
from shian.core.validators import normalise_code

from . import imports, selectors, services
from .choices import BusinessStatus, BusinessType, LicenceKind, Scale, StaffEmployer, StaffRole
from .filters import BusinessFilter
from .licensing import licence_warnings
from .models import Business, ImportRun, Licence, Staff

router = Router(tags=["registry"], auth=AUTH)


def _region(request, region_id: int | None) -> Region | None:
    """A region named in a body, looked up in the caller's area: a missing and a foreign one get the
    same answer."""
    if region_id is None:
        return None
    region = Region.objects.restrict(request.user, VIEW).filter(pk=region_id).first()
    if region is None:
        raise ValidationError({"region_id": f"no region with id {region_id} in your area"})
    return region


# --- schemas ----------------------------------------------------------------------------------
# A code as typed (full-width characters, spaces, lower case) is normalised before its length is checked,
# so "９１３５ ０１００ …" is the 18-character code it means; a wrong code is then refused naming its part.
UsccIn = Annotated[str, BeforeValidator(lambda v: normalise_code(v) if isinstance(v, str) else v)]
LicenceNumberIn = Annotated[str, BeforeValidator(lambda v: normalise_code(v) if isinstance(v, str) else v)]


class BusinessOut(Schema):
    id: int
    name: str
    uscc: str
    type: BusinessType
    scale: Scale
    diners_per_meal: int | None
    address: str
    region_id: int
    latitude: Decimal | None
    longitude: Decimal | None
    status: BusinessStatus
    imports_food: bool
    chain_headquarters: bool
    special_food: bool
    canteen_outsourced: bool
    legal_representative: str
    contact_phone: str  # masked (138****1234); POST /businesses/{id}/reveal shows it in full, audited
    staffing_complete: bool
    staffing_missing: str
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_contact_phone(obj) -> str:
        return masked(obj, "contact_phone")


class BusinessIn(Schema):
    name: Annotated[str, stored_in(Business, "name")]
    uscc: Annotated[UsccIn, stored_in(Business, "uscc")]
    type: BusinessType
    scale: Scale = Scale.SMALL
    diners_per_meal: int | None = None
    address: Annotated[str, stored_in(Business, "address")]
    region_id: int
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    status: BusinessStatus = BusinessStatus.OPERATING
    imports_food: bool = False
    chain_headquarters: bool = False
    special_food: bool = False
    canteen_outsourced: bool = False
    legal_representative: Annotated[str, stored_in(Business, "legal_representative")] = ""
    contact_phone: Annotated[str, stored_in(Business, "contact_phone")] = ""


class BusinessPatch(Schema):
    name: Annotated[str, stored_in(Business, "name")] | None = None
    uscc: Annotated[UsccIn, stored_in(Business, "uscc")] | None = None
    type: BusinessType | None = None
    scale: Scale | None = None
    diners_per_meal: int | None = None
    address: Annotated[str, stored_in(Business, "address")] | None = None
    region_id: int | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    status: BusinessStatus | None = None
    imports_food: bool | None = None
    chain_headquarters: bool | None = None
    special_food: bool | None = None
    canteen_outsourced: bool | None = None
    legal_representative: Annotated[str, stored_in(Business, "legal_representative")] | None = None
    contact_phone: Annotated[str, stored_in(Business, "contact_phone")] | None = None
    version: int | None = None


class LicenceOut(Schema):
    id: int
    business_id: int
    kind: LicenceKind
    number: str
    issued_on: dt.date
    valid_until: dt.date | None
    issuing_authority: str
    scope: str
    days_left: int | None


class LicenceDetailOut(LicenceOut):
    warnings: list[str]  # what looks wrong but is not refused: division digits not the business's district, …

    @staticmethod
    def resolve_warnings(obj) -> list[str]:
        return licence_warnings(obj)


class LicenceIn(Schema):
    kind: LicenceKind
    number: Annotated[LicenceNumberIn, stored_in(Licence, "number")]
    issued_on: dt.date
    valid_until: dt.date | None = None
    issuing_authority: Annotated[str, stored_in(Licence, "issuing_authority")] = ""
    scope: Annotated[str, stored_in(Licence, "scope")] = ""


class LicencePatch(Schema):
    kind: LicenceKind | None = None
    number: Annotated[LicenceNumberIn, stored_in(Licence, "number")] | None = None
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None
    issuing_authority: Annotated[str, stored_in(Licence, "issuing_authority")] | None = None
    scope: Annotated[str, stored_in(Licence, "scope")] | None = None


class StaffOut(Schema):
    id: int
    business_id: int
    role: StaffRole
    name: str
    employer: StaffEmployer
    contractor_name: str
    phone: str  # masked; POST /staff/{id}/reveal shows it in full, audited
    id_number: str  # masked (first 6 and last 4)
    trained_on: dt.date | None
    assessed_on: dt.date | None
    assessment_passed: bool | None
    active: bool

    @staticmethod
    def resolve_phone(obj) -> str:
        return masked(obj, "phone")

    @staticmethod
    def resolve_id_number(obj) -> str:
        return masked(obj, "id_number")


class StaffIn(Schema):
    role: StaffRole
    name: Annotated[str, stored_in(Staff, "name")]
    employer: StaffEmployer = StaffEmployer.OWN_UNIT
    contractor_name: Annotated[str, stored_in(Staff, "contractor_name")] = ""
    phone: Annotated[str, stored_in(Staff, "phone")] = ""
    id_number: Annotated[str, stored_in(Staff, "id_number")] = ""
    trained_on: dt.date | None = None
    assessed_on: dt.date | None = None
    assessment_passed: bool | None = None
    active: bool = True


class StaffPatch(Schema):
    role: StaffRole | None = None
    name: Annotated[str, stored_in(Staff, "name")] | None = None
    employer: StaffEmployer | None = None
    contractor_name: Annotated[str, stored_in(Staff, "contractor_name")] | None = None
    phone: Annotated[str, stored_in(Staff, "phone")] | None = None
    id_number: Annotated[str, stored_in(Staff, "id_number")] | None = None
    trained_on: dt.date | None = None
    assessed_on: dt.date | None = None
    assessment_passed: bool | None = None
    active: bool | None = None


class StaffRevealIn(Schema):
    field: Literal["phone", "id_number"]


class BusinessRevealField(StrEnum):
    CONTACT_PHONE = "contact_phone"  # the one value of a business shown masked


class BusinessRevealIn(Schema):
    field: BusinessRevealField = BusinessRevealField.CONTACT_PHONE


class RevealOut(Schema):
    field: str
    value: str


class ImportErrorOut(Schema):
    row: int
    column: str
    value: str
    message: str


class ImportRunOut(Schema):
    id: int
    filename: str
    status: str
    rows: int
    created: int
    updated: int
    unchanged: int
    seconds: float
    errors: list[ImportErrorOut]


class RateRow(Schema):
    complete: int
    total: int
    rate: float | None


class RegionRate(RateRow):
    region_id: int
    name: str


class TypeRate(RateRow):
    type: str
    label: str


class StaffingRateOut(RateRow):
    by_region: list[RegionRate]
    by_type: list[TypeRate]


def _patch_data(request, payload: Schema) -> dict:
    data = payload.model_dump(exclude_unset=True)
    if "region_id" in data:
        data["region"] = _region(request, data.pop("region_id"))
    return data


# --- businesses -------------------------------------------------------------------------------
@router.get("/businesses", response=list[BusinessOut], summary="List businesses (filter, search, sort)")
@paginate(LimitOffsetPagination)
@operation(VIEW, "registry.business")
def business_list(request, filters: Query[BusinessFilter]):
    return selectors.business_list(request.user, filters)


@router.post("/businesses", response={201: BusinessOut})
@operation(ADD, "registry.business", body={"region_id": "core.region"})
def business_create(request, payload: BusinessIn):
    data = payload.model_dump()
    data["region"] = _region(request, data.pop("region_id"))
    return Status(201, services.business_create(actor=request.user, **data))


@router.get("/businesses/{business_id}", response=BusinessOut)
@operation(VIEW, "registry.business", obj="business_id")
def business_get(request, business_id: int):
    return get_object_for_user(Business, request.user, VIEW, pk=business_id)


@router.patch(
    "/businesses/{business_id}",
    response=BusinessOut,
    summary="Change a business (send `version` to refuse a lost update)",
)
@operation(CHANGE, "registry.business", obj="business_id")
def business_patch(request, business_id: int, payload: BusinessPatch):
    business = get_object_for_user(Business, request.user, CHANGE, pk=business_id)
    data = _patch_data(request, payload)
    version = data.pop("version", None)
    return services.business_update(actor=request.user, business=business, expected_version=version, **data)


@router.delete("/businesses/{business_id}", response={204: None})
@operation(DELETE, "registry.business", obj="business_id")
def business_delete(request, business_id: int):
    business = get_object_for_user(Business, request.user, DELETE, pk=business_id)
    services.business_delete(actor=request.user, business=business)
    return Status(204, None)


# --- licences ---------------------------------------------------------------------------------
@router.get("/licences", response=list[LicenceOut], summary="List licences (state=expiring: within 30 days)")
@paginate(LimitOffsetPagination)
@operation(VIEW, "registry.licence")
def licence_list(request, state: str | None = None, q: str | None = None):
    return selectors.licence_list(request.user, state=state, q=q)


@router.get("/businesses/{business_id}/licences", response=list[LicenceOut])
@operation(VIEW, "registry.licence", obj={"business_id": "registry.business"})
def business_licences(request, business_id: int):
    business = get_object_for_user(Business, request.user, VIEW, pk=business_id)
    return list(business.licences.order_by("-valid_until"))


@router.post("/businesses/{business_id}/licences", response={201: LicenceDetailOut})
@operation(ADD, "registry.licence", obj={"business_id": "registry.business"})
def licence_create(request, business_id: int, payload: LicenceIn):
    business = get_object_for_user(Business, request.user, VIEW, pk=business_id)
    return Status(201, services.licence_create(actor=request.user, business=business, **payload.model_dump()))


@router.get("/licences/{licence_id}", response=LicenceDetailOut)
@operation(VIEW, "registry.licence", obj="licence_id")
def licence_get(request, licence_id: int):
    return get_object_for_user(Licence, request.user, VIEW, pk=licence_id)


@router.patch("/licences/{licence_id}", response=LicenceDetailOut)
@operation(CHANGE, "registry.licence", obj="licence_id")
def licence_patch(request, licence_id: int, payload: LicencePatch):
    licence = get_object_for_user(Licence, request.user, CHANGE, pk=licence_id)
    return services.licence_update(actor=request.user, licence=licence, **_patch_data(request, payload))


@router.delete("/licences/{licence_id}", response={204: None})
@operation(DELETE, "registry.licence", obj="licence_id")
def licence_delete(request, licence_id: int):
    licence = get_object_for_user(Licence, request.user, DELETE, pk=licence_id)
    services.licence_delete(actor=request.user, licence=licence)
    return Status(204, None)


# --- staff ------------------------------------------------------------------------------------
@router.get("/businesses/{business_id}/staff", response=list[StaffOut])
@operation(VIEW, "registry.staff", obj={"business_id": "registry.business"})
def business_staff(request, business_id: int):
    business = get_object_for_user(Business, request.user, VIEW, pk=business_id)
    return list(selectors.staff_for_business(business))


@router.post("/businesses/{business_id}/staff", response={201: StaffOut})
@operation(ADD, "registry.staff", obj={"business_id": "registry.business"})
def staff_create(request, business_id: int, payload: StaffIn):
    business = get_object_for_user(Business, request.user, VIEW, pk=business_id)
    return Status(201, services.staff_create(actor=request.user, business=business, **payload.model_dump()))


@router.get("/staff/{staff_id}", response=StaffOut)
@operation(VIEW, "registry.staff", obj="staff_id")
def staff_get(request, staff_id: int):
    return get_object_for_user(Staff, request.user, VIEW, pk=staff_id)


@router.patch("/staff/{staff_id}", response=StaffOut)
@operation(CHANGE, "registry.staff", obj="staff_id")
def staff_patch(request, staff_id: int, payload: StaffPatch):
    staff = get_object_for_user(Staff, request.user, CHANGE, pk=staff_id)
    return services.staff_update(actor=request.user, staff=staff, **_patch_data(request, payload))


@router.delete("/staff/{staff_id}", response={204: None})
@operation(DELETE, "registry.staff", obj="staff_id")
def staff_delete(request, staff_id: int):
    staff = get_object_for_user(Staff, request.user, DELETE, pk=staff_id)
    services.staff_delete(actor=request.user, staff=staff)
    return Status(204, None)


@router.post(
    "/staff/{staff_id}/reveal",
    response=RevealOut,
    summary="Show a staff member's phone or identity number in full (audited)",
)
@operation(REVEAL, "registry.staff", obj="staff_id", write=True)
def staff_reveal(request, staff_id: int, payload: StaffRevealIn, response: HttpResponse):
    response["Cache-Control"] = "no-store"
    staff = get_object_for_user(Staff, request.user, REVEAL, pk=staff_id)
    return {"field": payload.field, "value": reveal(actor=request.user, obj=staff, field=payload.field)}


@router.post(
    "/businesses/{business_id}/reveal",
    response=RevealOut,
    summary="Show a business's contact phone in full (audited)",
)
@operation(REVEAL, "registry.business", obj="business_id", write=True)
def business_reveal(request, business_id: int, payload: BusinessRevealIn, response: HttpResponse):
    response["Cache-Control"] = "no-store"
    business = get_object_for_user(Business, request.user, REVEAL, pk=business_id)
    field = payload.field.value
    return {"field": field, "value": reveal(actor=request.user, obj=business, field=field)}


# --- imports and KPIs -------------------------------------------------------------------------
@router.post(
    "/imports/businesses",
    response={201: ImportRunOut, 202: JobOut, 422: ImportRunOut},
    summary="Import businesses from .xlsx or UTF-8 .csv (all or nothing)",
)
@operation(ADD, "registry.importrun")
def import_businesses(request, file: File[UploadedFile]):
    """A file of up to IMPORT_SYNC_MAX_ROWS rows (default 2,000) is imported at once: 201 with the run, or
    422 with its errors. A larger file is imported in the background: 202 with the job; poll
    ``GET /api/jobs/{id}`` — its ``result.import_run_id`` is the run (``GET /api/imports/{run_id}``). An
    ``Idempotency-Key`` header makes a retried upload the same job."""
    from .tasks import runs_in_background, start_import

    data, name = file.read(), file.name or "upload"
    rows = runs_in_background(data, name)
    if rows:
        key = request.headers.get("Idempotency-Key", "")[:200]
        return Status(202, job_out(start_import(data=data, filename=name, actor=request.user, rows=rows, key=key)))
    result = imports.import_businesses(data=data, filename=name, actor=request.user)
    return Status((201 if result.ok else 422), result.run)


@router.get("/imports/{run_id}", response=ImportRunOut)
@operation(VIEW, "registry.importrun", obj="run_id")
def import_get(request, run_id: int):
    return get_object_for_user(ImportRun, request.user, VIEW, pk=run_id)


@router.get("/staffing-rate", response=StaffingRateOut, summary="两员 staffing rate for the caller's scope")
@operation(VIEW, "registry.business")
def staffing_rate(request):
    return selectors.staffing_rate(request.user)
