"""URL map: the stable page URLs of issue 6, accounts, setup and the API.

/                 scorecard            /feedback/   feedback loop
/diagnosis/       revenue diagnosis    /wins/       wins and kudos
/funnel/          funnel and SLA       /starters/   starter projects
/products/        products             /data/       import and freshness
/rows/<metric>/   the rows behind a number (+ export/: CSV, Excel)
/pairs/           cross-team pairs
/attribution/     credits per channel and campaign, sourced revenue, ROI
/digest/          weekly digest (owner, champions)
/setup/           owner only           /api/        JSON API (+ /api/docs)
/accounts/login/  sign in (fields username, password)
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from coparent.api.api import api
from coparent.web.notifications import views as notifications
from coparent.web.teams import views as teams

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("coparent.web.dashboards.urls")),
    path("feedback/", include("coparent.web.feedback.urls")),
    path("wins/", include("coparent.web.wins.urls")),
    path("starters/", include("coparent.web.starters.urls")),
    path("attribution/", include("coparent.web.attribution.urls")),
    path("pairs/", include("coparent.web.pairs.urls")),
    path("digest/", include("coparent.web.digest.urls")),
    path("data/", include("coparent.web.imports.urls")),
    path("rows/", include("coparent.web.lists.urls")),
    path("setup/", include("coparent.web.teams.setup_urls")),
    path("accounts/login/", teams.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/invite/<str:token>/", teams.invitation_accept, name="invite"),
    path("accounts/profile/", teams.profile, name="profile"),
    path(
        "accounts/profile/notifications/",
        notifications.preferences_update,
        name="notification_preferences",
    ),
    path("accounts/profile/tokens/", teams.token_create, name="token_create"),
    path("accounts/profile/tokens/<int:token_id>/revoke/", teams.token_revoke, name="token_revoke"),
    path("api/", api.urls),
]
