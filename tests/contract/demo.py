"""Ids of the packaged demo workspace (reconciler/emulator/demo_workspace.yaml)."""

from __future__ import annotations

IOS_APP = "274c8124-e94d-4eb6-b1fb-209fe79e425d"
PUSH_SEGMENT = "7ad353fb-b5b6-45f1-b427-f4006e11b003"
VIP_SEGMENT = "08dee5f4-b7b6-435a-b1e1-1f07d43b0d02"
SMS_GROUP = "de49b57c-504a-4eeb-a16c-43d5111f7041"
EMAIL_GROUP = "993d4e54-2cbd-40ab-bb27-4cad2be6b043"
WHATS_APP_GROUP = "10585fc6-90f3-42dd-9f6c-67cdf65712b6"

TRIGGERED_CAMPAIGN = "924cd632-0dc9-4a59-a3f1-b892936fd233"
TRIGGERED_APPLE_VARIATION = "6678fb1f-5b91-4c6d-aac9-572761a6230b"
OTHER_TRIGGERED_CAMPAIGN = "c1dae081-f8ba-4589-84dc-0a9b121dc236"
API_CAMPAIGN = "d111a44a-a347-4ab0-837e-9142cbd2a2fe"
API_EMAIL_VARIATION = "ea09438a-827b-4f93-82aa-6f47dd307a09"
API_APPLE_VARIATION = "3f7f44c6-c17e-48ba-bfa1-6b6f4c5b95ea"
API_VARIATIONS = {
    "email": API_EMAIL_VARIATION,
    "apple_push": API_APPLE_VARIATION,
    "android_push": "593e3be1-56bd-4260-8d7b-9c46e4b3fe39",
    "kindle_push": "c49c3dd5-dbd3-48f0-8b71-db2cdb340931",
    "web_push": "760004a5-1764-4a90-9a6d-abb5e4354abe",
    "webhook": "47995a26-97a7-4d89-b731-4211a41c1bcc",
    "content_card": "54411aa1-1a68-4eec-9c56-08286750663e",
    "sms": "752a258f-0705-4be0-b7b8-d1161ec61db5",
    "whats_app": "fbc685ad-36a8-4116-8220-b0084484e0ce",
}
"""The flash sale API campaign's variation of each channel."""
DASHBOARD_CAMPAIGN = "3d4847b5-37fd-4361-8fb8-870321373791"
ARCHIVED_CAMPAIGN = "b19ee9a9-5314-4843-b873-6653bb44d2db"

CANVAS = "3581a480-4930-4bfa-a41e-da73bfe8cc92"
PAUSED_CANVAS = "32d91d1d-88b1-4d5f-87ed-9e1ba0189479"
DASHBOARD_CANVAS = "0b6c2f4e-5f0a-4d0e-9a57-6d1c4b1e2a90"
ARCHIVED_CANVAS = "5e2d9c71-8a43-4f1b-b0c6-2f7e8d9a1b35"
