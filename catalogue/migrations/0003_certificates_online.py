"""The deposit certificate and the loan-settled certificate are issued and downloaded in the hall
(``/hall/certificates/``) now: their items start there.

Only items whose entry point is still the seeded one are changed: staff who already pointed them
elsewhere keep their choice.
"""

from django.db import migrations
from django.utils import timezone

DEPOSIT_BEFORE = {
    "office": "各管理部服务柜台",
    "office_en": "Service counters of every branch",
    "fully_online": False,
    "online_url_name": "",
    "materials": "本人身份证件",
    "materials_en": "Your identity card",
    "notes": "在服务柜台或自助终端打印；个人缴存明细可随时在网上服务大厅查询、打印。",
    "notes_en": "Printed at a counter or a self-service kiosk; the statement of deposits can be seen "
    "and printed in the online hall at any time.",
    "channels": ["KIOSK", "COUNTER"],
}
DEPOSIT_AFTER = {
    "office": "归集科",
    "office_en": "Collection Section",
    "fully_online": True,
    "online_url_name": "hall-certificates",
    "materials": "",
    "materials_en": "",
    "notes": "在网上服务大厅“证明”页随时开具并下载，带中心电子签章和核验码；银行、房东等可扫码或在本网站“证明核验”页查验真伪。"
    "也可在服务柜台或自助终端打印。",
    "notes_en": "Issue and download it in the online hall under Certificates at any time, with the "
    "centre's electronic seal and a verification code; a bank or landlord checks it by scanning the "
    "QR code or on this site's Check a certificate page. Counters and self-service kiosks print it too.",
    "channels": ["WEB_HALL", "KIOSK", "COUNTER"],
}
SETTLED_BEFORE = {
    "online_url_name": "hall-loans",
    "notes": "结清后在贷款账户页下载带电子签章的结清证明，任何人可在本网站“核验电子签章”查验真伪。",
    "notes_en": "After settlement, download the certificate with its electronic seal from the loan "
    "account page; anyone can check it under Check an electronic seal on this site.",
}
SETTLED_AFTER = {
    "online_url_name": "hall-certificates",
    "notes": "贷款结清后，在网上服务大厅“证明”页下载带中心电子签章的结清证明；任何人可扫码或在本网站“证明核验”页查验真伪。",
    "notes_en": "Once the loan is settled, download the certificate with the centre's electronic seal "
    "in the online hall under Certificates; anyone can check it by scanning the QR code or on this "
    "site's Check a certificate page.",
}
CHANGES = [
    ("DEPOSIT_CERTIFICATE", DEPOSIT_BEFORE, DEPOSIT_AFTER),
    ("LOAN_SETTLED_CERTIFICATE", SETTLED_BEFORE, SETTLED_AFTER),
]


def _move(apps, *, forwards: bool):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    for code, before, after in CHANGES:
        old, new = (before, after) if forwards else (after, before)
        ServiceItem.objects.filter(code=code, online_url_name=old["online_url_name"]).update(**new, updated_at=timezone.now())


def forwards(apps, schema_editor):
    _move(apps, forwards=True)


def backwards(apps, schema_editor):
    _move(apps, forwards=False)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_seed_service_items")]

    operations = [migrations.RunPython(forwards, backwards)]
