"""REST API v1."""

from django.urls import include, path, re_path

from api import applications, auth, card, deposits, errors, me, messages, seals, security, withdrawals

app_name = "api"
urlpatterns = [
    path("", include("api.urls_loans")),
    path("", include("api.urls_appointments")),
    path("", include("api.urls_transfers")),
    path("", include("api.urls_catalogue")),
    path("", include("api.urls_statements")),
    path("", include("api.urls_hotline")),
    path("", include("api.urls_certificates")),
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("auth/token/verify", auth.TokenVerifyView.as_view(), name="token-verify"),
    path("seals/<str:code>", seals.SealView.as_view(), name="seal"),
    path("me/account", me.MyAccountView.as_view(), name="me-account"),
    path("me/movements", me.MyMovementsView.as_view(), name="me-movements"),
    path("me/card", card.MyCardView.as_view(), name="me-card"),
    path("me/preferences", me.MyPreferencesView.as_view(), name="me-preferences"),
    path("me/messages", messages.MyMessagesView.as_view(), name="me-messages"),
    path("me/messages/read-all", messages.ReadAllMessagesView.as_view(), name="me-messages-read-all"),
    path("me/messages/<int:message_id>/read", messages.ReadMessageView.as_view(), name="me-message-read"),
    path("me/withdrawal-lock", security.WithdrawalLockView.as_view(), name="me-withdrawal-lock"),
    path("me/withdrawal-lock/unlock", security.WithdrawalUnlockView.as_view(), name="me-withdrawal-unlock"),
    path("me/applications", applications.MyApplicationsView.as_view(), name="me-applications"),
    path("me/eligibility", applications.MyEligibilityView.as_view(), name="me-eligibility"),
    path("withdrawals", withdrawals.WithdrawalsView.as_view(), name="withdrawals"),
    path("withdrawals/<int:application_id>", withdrawals.WithdrawalView.as_view(), name="withdrawal"),
    path(
        "employer/deposit-lists/template",
        deposits.DepositListTemplateView.as_view(),
        name="employer-deposit-list-template",
    ),
    path("employer/deposit-lists", deposits.DepositListsView.as_view(), name="employer-deposit-lists"),
    path(
        "employer/deposit-lists/<int:list_id>",
        deposits.DepositListView.as_view(),
        name="employer-deposit-list",
    ),
    path(
        "employer/deposit-lists/<int:list_id>/errors",
        deposits.DepositListErrorsView.as_view(),
        name="employer-deposit-list-errors",
    ),
    path(
        "employer/deposit-lists/<int:list_id>/submit",
        deposits.SubmitListView.as_view(),
        name="employer-deposit-list-submit",
    ),
    path(
        "employer/deposit-lists/<int:list_id>/approve",
        deposits.ApproveListView.as_view(),
        name="employer-deposit-list-approve",
    ),
    path(
        "employer/deposit-lists/<int:list_id>/return",
        deposits.ReturnListView.as_view(),
        name="employer-deposit-list-return",
    ),
    path(
        "employer/deposit-lists/<int:list_id>/retry-collection",
        deposits.RetryCollectionView.as_view(),
        name="employer-deposit-list-retry-collection",
    ),
    path(
        "employer/deposit-lists/<int:list_id>/discard",
        deposits.DiscardListView.as_view(),
        name="employer-deposit-list-discard",
    ),
    # Last: a path no route above matches answers the API's JSON 404, never an HTML page.
    re_path(r"^.*$", errors.not_found, name="not-found"),
]
