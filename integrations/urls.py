"""Provider webhooks. Public URLs (providers cannot log in): each view verifies the provider's
signature before it stores anything, and answers 403 when it does not match."""

from django.urls import path

from integrations.sendgrid import webhooks as sendgrid
from integrations.twilio import webhooks as twilio

app_name = "webhooks"

urlpatterns = [
    path("twilio/sms/", twilio.inbound_sms, name="twilio-sms"),
    path("twilio/status/", twilio.status_callback, name="twilio-status"),
    path("sendgrid/inbound/", sendgrid.inbound_parse, name="sendgrid-inbound"),
    path("sendgrid/events/", sendgrid.event_webhook, name="sendgrid-events"),
]
