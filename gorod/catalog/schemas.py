from typing import Literal

from ninja import Field, Schema
from pydantic import BaseModel

MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 100


class CategoryOut(BaseModel):
    slug: str
    title: str
    title_en: str
    description: str
    service_count: int


class ServiceOut(BaseModel):
    slug: str
    title: str
    title_en: str
    category: str = Field(..., description="Category slug")
    department: str = Field(..., description="Responsible department code")
    kind: Literal["flagship", "form", "info", "external"]
    audience: Literal["citizen", "business"]
    keywords: list[str]
    description: str
    description_en: str
    is_online: bool
    external_url: str
    url: str = Field(..., description="The service's page on the portal")


class ServiceListQuery(Schema):
    q: str | None = Field(
        None,
        max_length=MAX_QUERY_LENGTH,
        description="Search words, as people type them (typos, the wrong keyboard layout "
        "and Russian in Latin letters are fine). "
        "With q the list is ranked by relevance, without it by title.",
    )
    category: str | None = Field(None, max_length=32, description="Category slug")
    kind: Literal["flagship", "form", "info", "external"] | None = None
    audience: Literal["citizen", "business"] | None = None
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


class ServicePage(BaseModel):
    count: int
    page: int
    page_size: int
    pages: int
    understood_as: str | None = Field(
        None,
        description="The query as understood when it was typed in the wrong keyboard layout "
        "or in Latin letters",
    )
    items: list[ServiceOut]
