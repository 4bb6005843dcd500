"""The signed-in user's own data (session or personal token)."""

from ninja import Router

from gorod.accounts import selectors
from gorod.accounts.schemas import MeOut
from gorod.core.schemas import with_problems

router = Router(tags=["accounts"])


@router.get("", response=with_problems({200: MeOut}, 401), summary="The current user")
def me(request):
    user = request.auth
    person = selectors.person_of(user)
    children = []
    if person is not None:
        children = [
            {
                "id": guardianship.child.pk,
                "full_name": guardianship.child.full_name,
                "birth_date": guardianship.child.birth_date,
                "relation": guardianship.kind,
                "verified": guardianship.verified_at is not None,
            }
            for guardianship in selectors.guardianships_of(person)
        ]
    return {
        "id": user.pk,
        "email": user.email,
        "phone": user.phone,
        "is_staff": user.is_staff,
        "roles": selectors.role_names_of(user),
        "person": person,
        "children": children,
    }
