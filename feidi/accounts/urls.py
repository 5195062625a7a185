from django.urls import path

from feidi.core.routing import crud_urls

from . import views_admin as admin
from . import views_auth

app_name = "accounts"

urlpatterns = [
    path("login/", views_auth.LoginView.as_view(), name="login"),
    path("login/otp/", views_auth.OtpView.as_view(), name="otp"),
    path("logout/", views_auth.LogoutView.as_view(), name="logout"),
    path("password/", views_auth.PasswordChangeView.as_view(), name="password_change"),
    path("users/", admin.UserListView.as_view(), name="user_list"),
    path("users/add/", admin.UserEditView.as_view(), name="user_add"),
    path("users/<int:pk>/", admin.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", admin.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/roles/", admin.UserRolesView.as_view(), name="user_roles"),
    path("users/<int:pk>/unlock/", admin.UserUnlockView.as_view(), name="user_unlock"),
    *crud_urls("departments", "department", admin.DepartmentListView, admin.DepartmentDetailView,
               admin.DepartmentEditView, admin.DepartmentDeleteView),
    *crud_urls("roles", "role", admin.RoleListView, admin.RoleDetailView, admin.RoleEditView, admin.RoleDeleteView),
    path("roles/<int:pk>/copy/", admin.RoleCopyView.as_view(), name="role_copy"),
    path("policy/", admin.SecurityPolicyView.as_view(), name="policy"),
    path("login-log/", admin.LoginLogListView.as_view(), name="loginlog_list"),
    path("tokens/", admin.ApiTokenListView.as_view(), name="apitoken_list"),
    path("tokens/<int:pk>/revoke/", admin.ApiTokenRevokeView.as_view(), name="apitoken_revoke"),
]
