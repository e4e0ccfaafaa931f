"""Team pages: members, invitations, switching and creating teams."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from crm.teams.access import get_team_object, team_required
from crm.teams.forms import InvitationForm, RoleForm, TeamCreateForm
from crm.teams.middleware import SESSION_KEY
from crm.teams.models import Invitation, Membership
from crm.teams.roles import ROLE_HELP, Role, grantable_roles
from crm.teams.selectors import invitation_by_token, membership_for, team_members
from crm.teams.services import (
    TeamRuleError,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
    team_create,
)
from crm.teams.types import TeamRequest


def _members_context(request: TeamRequest, form: InvitationForm | None = None) -> dict[str, object]:
    actor = request.membership
    can_manage = actor.has_role(Role.ADMIN)
    return {
        "members": team_members(team=actor.team),
        "invitations": Invitation.objects.pending().select_related("invited_by") if can_manage else [],
        "form": form or InvitationForm(actor_role=actor.role),
        "can_manage": can_manage,
        "grantable_roles": grantable_roles(actor.role),
        "role_help": ROLE_HELP,
    }


@team_required
def members(request: TeamRequest) -> HttpResponse:
    return render(request, "teams/members.html", _members_context(request))


@require_POST
@team_required(role=Role.ADMIN)
def invite(request: TeamRequest) -> HttpResponse:
    actor = request.membership
    form = InvitationForm(request.POST, actor_role=actor.role)
    status = 422
    if form.is_valid():
        try:
            invitation, _ = invitation_create(actor=actor, **form.cleaned_data)
        except TeamRuleError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            if not request.htmx:
                return redirect("teams:members")
            form, status = InvitationForm(actor_role=actor.role), 200  # a blank form for the next invite
    template = "teams/members.html#invite-panel" if request.htmx else "teams/members.html"
    return render(request, template, _members_context(request, form), status=status)


@require_POST
@team_required(role=Role.ADMIN)
def member_role(request: TeamRequest, membership_id: str) -> HttpResponse:
    target = get_team_object(Membership, pk=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
    else:
        try:
            membership_change_role(actor=request.membership, target=target, role=form.cleaned_data["role"])
            messages.success(request, f"{target.user.display_name} is now {target.get_role_display()}.")
        except TeamRuleError as exc:
            messages.error(request, str(exc))
            target.refresh_from_db()
    if request.htmx:
        return render(request, "teams/members.html#member-row", {**_members_context(request), "member": target})
    return redirect("teams:members")


@require_POST
@team_required
def member_remove(request: TeamRequest, membership_id: str) -> HttpResponse:
    actor = request.membership
    target = get_team_object(Membership, pk=membership_id)
    leaving = target.pk == actor.pk
    try:
        membership_remove(actor=actor, target=target)
    except TeamRuleError as exc:
        messages.error(request, str(exc))
        if request.htmx:
            return HttpResponse(status=204)
        return redirect("teams:members")
    if leaving:
        request.session.pop(SESSION_KEY, None)
        messages.success(request, f"You left {actor.team.name}.")
        return _htmx_aware_redirect(request, "dashboard:home")
    messages.success(request, f"{target.user.display_name} was removed from the team.")
    if request.htmx:
        return HttpResponse("")  # the row swaps itself out
    return redirect("teams:members")


@require_POST
@team_required(role=Role.ADMIN)
def invitation_revoke_view(request: TeamRequest, invitation_id: str) -> HttpResponse:
    invitation = get_team_object(Invitation, pk=invitation_id)
    invitation_revoke(invitation=invitation)
    messages.success(request, f"Invitation for {invitation.email} revoked.")
    if request.htmx:
        return HttpResponse("")
    return redirect("teams:members")


@require_POST
@team_required(role=Role.ADMIN)
def invitation_resend(request: TeamRequest, invitation_id: str) -> HttpResponse:
    invitation = get_team_object(Invitation, pk=invitation_id)
    try:
        invitation_create(actor=request.membership, email=invitation.email, role=invitation.role)
        messages.success(request, f"Invitation re-sent to {invitation.email}.")
    except TeamRuleError as exc:
        messages.error(request, str(exc))
    return redirect("teams:members")


@require_http_methods(["GET", "POST"])
def invitation(request: TeamRequest, token: str) -> HttpResponse:
    """Show and accept an invitation. Only the invited address may accept it."""
    found = invitation_by_token(token=token)
    if found is None:
        return render(request, "teams/invitation.html", {"problem": "not_found"}, status=404)
    if found.status != "pending":
        return render(request, "teams/invitation.html", {"problem": found.status, "invitation": found}, status=410)
    if not request.user.is_authenticated:
        return render(request, "teams/invitation.html", {"invitation": found, "anonymous": True})
    if not EmailAddress.objects.filter(user=request.user, email__iexact=found.email, verified=True).exists():
        # Looks like "no such invitation" to anyone it was not sent to.
        return render(request, "teams/invitation.html", {"problem": "not_found"}, status=404)
    if request.method == "POST":
        try:
            membership = invitation_accept(invitation=found, user=request.user)
        except TeamRuleError as exc:
            messages.error(request, str(exc))
            return redirect("dashboard:home")
        request.session[SESSION_KEY] = str(membership.team_id)
        messages.success(request, f"Welcome to {membership.team.name}.")
        return redirect("dashboard:home")
    return render(request, "teams/invitation.html", {"invitation": found})


@require_POST
@login_required
def switch(request: TeamRequest) -> HttpResponse:
    membership = membership_for(user=request.user, team_id=request.POST.get("team"))
    if membership is None:
        messages.error(request, "You are not a member of that team.")
    else:
        request.session[SESSION_KEY] = str(membership.team_id)
        messages.success(request, f"Switched to {membership.team.name}.")
    # Always land on the dashboard: the page we came from showed the other team's objects.
    return _htmx_aware_redirect(request, "dashboard:home")


@require_http_methods(["GET", "POST"])
@login_required
def create(request: TeamRequest) -> HttpResponse:
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = team_create(name=form.cleaned_data["name"], owner=request.user)
        request.session[SESSION_KEY] = str(team.id)
        messages.success(request, f"{team.name} is ready. Invite your teammates.")
        return redirect("teams:members")
    has_team = getattr(request, "membership", None) is not None
    return render(request, "teams/create.html", {"form": form, "has_team": has_team})


def _htmx_aware_redirect(request: TeamRequest, to: str) -> HttpResponse:
    response = redirect(to)
    if request.htmx:
        # htmx would swap the target page into the fragment; ask for a full navigation instead.
        return HttpResponse(status=204, headers={"HX-Redirect": response["Location"]})
    return response
