"""The first published catalogue: every item DOMAIN.md §10 lists, in Chinese and English.

Staff change items in the admin afterwards; this migration only adds the codes that are missing
and, reversed, removes the codes it added.
"""

from django.db import migrations

PERSON_ONLINE = ["WEB_HALL", "MOBILE_APP", "MINI_PROGRAM", "COUNTER"]
UNIT_ONLINE = ["WEB_HALL", "COUNTER"]
COUNTER_ONLY = ["COUNTER"]
PUBLIC_TOOL = ["WEB_HALL", "MOBILE_APP", "MINI_PROGRAM", "KIOSK"]

DEPOSIT_OFFICE = ("归集科", "Collection Section")
WITHDRAWAL_OFFICE = ("提取科", "Withdrawal Section")
LOAN_OFFICE = ("信贷科", "Loan Section")
COUNTERS = ("各管理部服务柜台", "Service counters of every branch")


def item(code, category, name, name_en, *, office, days, online=False, instant=False, url="", arg="",
         materials=(), materials_en=(), notes="", notes_en="", channels=PERSON_ONLINE, booking=""):
    return {
        "code": code,
        "category": category,
        "name": name,
        "name_en": name_en,
        "office": office[0],
        "office_en": office[1],
        "time_limit_days": days,
        "fully_online": online,
        "instant": instant,
        "online_url_name": url,
        "online_url_argument": arg,
        "materials": "\n".join(materials),
        "materials_en": "\n".join(materials_en),
        "notes": notes,
        "notes_en": notes_en,
        "channels": list(channels),
        "appointment_service": booking,
    }


ITEMS = [
    # 归集 ---------------------------------------------------------------------------------------
    item(
        "UNIT_REGISTRATION", "DEPOSITS", "单位缴存登记", "Registering a unit for deposits",
        office=DEPOSIT_OFFICE, days=0, online=True, url="unit-register", channels=UNIT_ONLINE,
        notes="单位设立之日起30日内办理。统一社会信用代码、名称、法定代表人通过市场监管部门数据共享核验，无需上传营业执照。",
        notes_en="Within 30 days of the unit's founding. The credit code, name and legal representative "
        "are checked with the market regulator's shared data; no business licence to upload.",
    ),
    item(
        "UNIT_CHANGE", "DEPOSITS", "单位信息变更", "Changing a unit's details",
        office=DEPOSIT_OFFICE, days=0, online=True, url="employer-unit", channels=UNIT_ONLINE,
        notes="单位名称、地址、法定代表人等变更之日起30日内办理；经办人由单位在网上服务大厅自行维护。",
        notes_en="Within 30 days of a change of name, address or legal representative; the unit keeps "
        "its operators itself in the online hall.",
    ),
    item(
        "UNIT_CLOSURE", "DEPOSITS", "单位缴存注销", "Closing a unit's deposit registration",
        office=DEPOSIT_OFFICE, days=5, channels=COUNTER_ONLY,
        materials=["单位缴存注销申请表（加盖单位公章）", "单位注销、撤销或解散的证明（市场监管数据可核验的免交）"],
        materials_en=[
            "Application to close the registration, with the unit's seal",
            "Proof that the unit is dissolved or cancelled (not needed when the market regulator's data shows it)",
        ],
        notes="注销前须为全部职工办理账户封存或转移，并缴清应缴未缴的住房公积金。",
        notes_en="Before closing, every employee's account must be sealed or transferred and every "
        "month owed paid.",
    ),
    item(
        "ACCOUNT_OPENING", "DEPOSITS", "职工个人账户设立（增员）", "Opening an employee's account (new hire)",
        office=DEPOSIT_OFFICE, days=0, online=True, url="employer-staff-add", channels=UNIT_ONLINE,
        notes="录用职工之日起30日内办理。身份信息通过公安人口数据核验；职工在本市已有账户的，直接转入本单位，不重复开户。",
        notes_en="Within 30 days of hiring. Identity is checked with the police population data; an "
        "employee who already has an account in the city moves in with it, never a second one.",
    ),
    item(
        "ACCOUNT_SEAL", "DEPOSITS", "个人账户封存（减员）", "Sealing an employee's account (leaver)",
        office=DEPOSIT_OFFICE, days=0, online=True, url="employer-staff", channels=UNIT_ONLINE,
        notes="与职工终止劳动关系之日起30日内办理；在单位职工名册中打开该职工，选择“封存”。封存期间余额照常计息。",
        notes_en="Within 30 days of the employment ending: open the employee in the unit's roster and "
        "choose Seal. A sealed balance keeps earning interest.",
    ),
    item(
        "ACCOUNT_UNSEAL", "DEPOSITS", "个人账户启封（转入增员）", "Unsealing an account (rehire)",
        office=DEPOSIT_OFFICE, days=0, online=True, url="employer-staff-add", channels=UNIT_ONLINE,
        notes="新单位为已封存账户的职工办理增员时，账户自动启封并转入新单位，缴存记录连续保留。",
        notes_en="When a new unit adds an employee whose account is sealed, the account is unsealed and "
        "moves to the new unit automatically, its history kept.",
    ),
    item(
        "MONTHLY_DEPOSIT", "DEPOSITS", "住房公积金汇缴", "Monthly deposit",
        office=DEPOSIT_OFFICE, days=0, online=True, url="employer-lists", channels=UNIT_ONLINE,
        notes="单位经办人下载预填清册、上传，复核人审核后由中心委托银行划款；银行确认后资金记入职工账户。",
        notes_en="The unit's preparer downloads the pre-filled list and uploads it; after the approver "
        "approves, the centre has the bank collect the money, which reaches the accounts once the "
        "bank confirms.",
    ),
    item(
        "BACK_PAYMENT", "DEPOSITS", "住房公积金补缴", "Back-payment of missed months",
        office=DEPOSIT_OFFICE, days=0, online=True, url="employer-lists-upload", channels=UNIT_ONLINE,
        notes="上传清册时选择“补缴清册”，每个月份一行。",
        notes_en="Upload a list of kind back-payment, one row per month.",
    ),
    item(
        "BASE_ADJUSTMENT", "DEPOSITS", "缴存基数调整", "Adjusting deposit bases",
        office=DEPOSIT_OFFICE, days=0, online=True, url="employer-staff", channels=UNIT_ONLINE,
        notes="每年7月按职工上一年度月平均工资调整，不低于最低工资标准，不高于上年度城市职工月平均工资的3倍。",
        notes_en="Every July, to the employee's average monthly wage of the previous year: no lower "
        "than the minimum wage and no higher than three times the city's average.",
    ),
    item(
        "RATE_ADJUSTMENT", "DEPOSITS", "缴存比例调整", "Changing the deposit rate",
        office=DEPOSIT_OFFICE, days=0, online=True, url="employer-unit-rates", channels=UNIT_ONLINE,
        notes="单位和职工缴存比例均在5%至12%之间由单位自主确定。",
        notes_en="The unit chooses each of the employer's and the employee's rates between 5% and 12%.",
    ),
    item(
        "DEFERRAL_OR_REDUCTION", "DEPOSITS", "缓缴或降低缴存比例", "Deferring deposits or a rate below 5%",
        office=DEPOSIT_OFFICE, days=10, channels=COUNTER_ONLY,
        materials=["缓缴或降低缴存比例申请表（加盖单位公章）", "职工代表大会或工会讨论通过的意见", "单位近期财务报表"],
        materials_en=[
            "Application to defer or lower the rate, with the unit's seal",
            "The approval of the workers' congress or the trade union",
            "The unit's latest financial statements",
        ],
        notes="适用于确有困难的单位，批准后期限一般不超过12个月，期满后补缴。",
        notes_en="For units in real difficulty; granted for at most 12 months as a rule, after which "
        "the months are paid back.",
    ),
    item(
        "TRANSFER_INTRA_CITY", "DEPOSITS", "市内账户转移", "Moving an account within the city",
        office=DEPOSIT_OFFICE, days=0, online=True, instant=True, url="hall-transfer-intra",
        notes="零材料、即时办结：在新单位入职后于网上服务大厅一键转入，原账户的缴存记录完整保留。",
        notes_en="No materials, done at once: after joining a new unit, move the account there with one "
        "click in the online hall; its history is kept.",
    ),
    item(
        "TRANSFER_CROSS_CITY", "DEPOSITS", "异地转移接续（转入本市）", "Transferring a fund account from another city",
        office=DEPOSIT_OFFICE, days=15, online=True, url="hall-transfer-cross-city",
        notes="只需向本市（转入地）申请，通过全国住房公积金异地转移接续平台办理，无需往返两地；一般5至15个工作日，双方自动办理时当日办结。",
        notes_en="Apply only here, at the receiving centre: the national transfer platform does the "
        "rest, with no trip to the other city. Usually 5 to 15 working days; the same day when both "
        "centres handle it automatically.",
    ),
    item(
        "DEPOSIT_CERTIFICATE", "DEPOSITS", "住房公积金缴存证明", "Certificate of deposits",
        office=COUNTERS, days=0, channels=["KIOSK", "COUNTER"],
        materials=["本人身份证件"], materials_en=["Your identity card"],
        notes="在服务柜台或自助终端打印；个人缴存明细可随时在网上服务大厅查询、打印。",
        notes_en="Printed at a counter or a self-service kiosk; the statement of deposits can be seen "
        "and printed in the online hall at any time.",
    ),
    item(
        "PERSONAL_DATA_CHANGE", "DEPOSITS", "个人信息变更", "Changing personal details",
        office=COUNTERS, days=0, channels=COUNTER_ONLY,
        materials=["本人身份证件", "姓名或证件号码变更的，公安机关出具的变更证明（公安数据可核验的免交）"],
        materials_en=[
            "Your identity card",
            "For a change of name or ID number, the police's certificate of the change (not needed when "
            "the police data shows it)",
        ],
        notes="姓名、证件号码等身份信息须到柜台核验后变更；提取到账的银行卡可在网上服务大厅自行变更。",
        notes_en="Identity details such as the name or ID number are changed at a counter after a check; "
        "the bank card withdrawals are paid to is changed online in the hall.",
    ),
    # 提取 ---------------------------------------------------------------------------------------
    item(
        "PAYOUT_CARD", "WITHDRAWALS", "提取到账银行卡登记", "Registering the card withdrawals are paid to",
        office=WITHDRAWAL_OFFICE, days=0, online=True, url="hall-card",
        notes="提取款项只付至本人名下的银行卡，登记时由银行实时核验户名。",
        notes_en="Withdrawals are paid only to a card in your own name; the bank confirms the name at once.",
    ),
    item(
        "WITHDRAW_PURCHASE_IN_CITY", "WITHDRAWALS", "购买本市自住住房提取", "Withdrawal for buying a home in the city",
        office=WITHDRAWAL_OFFICE, days=0, online=True, instant=True, url="hall-withdraw-apply",
        arg="PURCHASE_IN_CITY",
        notes="购房合同或不动产权证通过不动产登记数据核验，配偶、父母、子女关系通过民政、公安数据核验；同一套住房只能提取一次。",
        notes_en="The purchase contract or title is checked with the property register, and a spouse, "
        "parent or child with civil affairs and police data; one withdrawal per home.",
    ),
    item(
        "WITHDRAW_PURCHASE_ELSEWHERE", "WITHDRAWALS", "购买市外自住住房提取", "Withdrawal for buying a home outside the city",
        office=WITHDRAWAL_OFFICE, days=3, online=True, url="hall-withdraw-apply", arg="PURCHASE_ELSEWHERE",
        materials=["购房合同或不动产权证书", "购房发票或付款凭证"],
        materials_en=["The purchase contract or title deed", "The invoice or proof of payment"],
        notes="在网上服务大厅上传材料，由提取科审核。",
        notes_en="Upload the documents in the online hall; the Withdrawal Section reviews them.",
    ),
    item(
        "WITHDRAW_BUILD_RENOVATE", "WITHDRAWALS", "建造、翻建、大修自住住房提取", "Withdrawal for building or renovating a home",
        office=WITHDRAWAL_OFFICE, days=3, online=True, url="hall-withdraw-apply", arg="BUILD_RENOVATE",
        materials=["规划或建设批准文件", "工程预算书或施工合同及发票"],
        materials_en=["The planning or building permit", "The budget, or the works contract and invoices"],
        notes="在网上服务大厅上传材料，由提取科审核。",
        notes_en="Upload the documents in the online hall; the Withdrawal Section reviews them.",
    ),
    item(
        "WITHDRAW_LOAN_REPAYMENT_ANNUAL", "WITHDRAWALS", "偿还住房公积金贷款提取（按年）",
        "Withdrawal to repay a fund loan (once a year)",
        office=WITHDRAWAL_OFFICE, days=0, online=True, instant=True, url="hall-withdraw-apply",
        arg="LOAN_REPAYMENT_ANNUAL",
        notes="每12个月可提取一次，金额不超过近12个月已偿还的本息。",
        notes_en="Once every 12 months, up to what was repaid in the last 12 months.",
    ),
    item(
        "WITHDRAW_LOAN_REPAYMENT_MONTHLY", "WITHDRAWALS", "委托按月提取还贷", "Monthly entrusted withdrawal to repay a fund loan",
        office=WITHDRAWAL_OFFICE, days=0, online=True, instant=True, url="hall-withdraw-apply",
        arg="LOAN_REPAYMENT_MONTHLY",
        notes="签约后每月自动从公积金账户划款偿还公积金贷款，余额不足时从还款银行卡扣款。",
        notes_en="Once signed up, each month's instalment is paid from the fund account; in a month the "
        "balance is short, the repayment card is debited.",
    ),
    item(
        "WITHDRAW_COMMERCIAL_LOAN", "WITHDRAWALS", "偿还商业住房贷款提取", "Withdrawal to repay a commercial home loan",
        office=WITHDRAWAL_OFFICE, days=3, online=True, url="hall-withdraw-apply", arg="COMMERCIAL_LOAN_REPAYMENT",
        materials=["商业住房贷款借款合同", "贷款银行出具的近期还款明细"],
        materials_en=["The commercial home-loan contract", "The lending bank's recent repayment statement"],
        notes="在网上服务大厅上传材料，由提取科审核。",
        notes_en="Upload the documents in the online hall; the Withdrawal Section reviews them.",
    ),
    item(
        "WITHDRAW_RENT", "WITHDRAWALS", "租房提取", "Withdrawal for paying rent",
        office=WITHDRAWAL_OFFICE, days=0, online=True, instant=True, url="hall-withdraw-apply", arg="RENT",
        notes="连续足额缴存满3个月，本人及配偶在本市无自有住房；每人每月1800元，可按月或按季提取。",
        notes_en="Three consecutive months deposited, and no home in the city for you or your spouse; "
        "1,800 yuan a month per person, paid monthly or quarterly.",
    ),
    item(
        "WITHDRAW_RETIREMENT", "WITHDRAWALS", "离休、退休提取", "Withdrawal on retirement",
        office=WITHDRAWAL_OFFICE, days=0, online=True, instant=True, url="hall-withdraw-apply", arg="RETIREMENT",
        notes="退休信息通过社保数据核验；提取全部余额及利息并销户。",
        notes_en="Retirement is checked with the social security data; the whole balance with interest "
        "is paid and the account closed.",
    ),
    item(
        "WITHDRAW_LIXIU", "WITHDRAWALS", "离休干部提取", "Withdrawal on lixiu (veteran cadre retirement)",
        office=WITHDRAWAL_OFFICE, days=0, online=True, instant=True, url="hall-withdraw-apply", arg="LIXIU",
        notes="离休信息通过社保或人事数据核验；提取全部余额及利息并销户。",
        notes_en="Lixiu status is checked with the social security or personnel data; the whole balance "
        "with interest is paid and the account closed.",
    ),
    item(
        "WITHDRAW_LEAVING_CITY", "WITHDRAWALS", "离职离开本市提取", "Withdrawal on leaving the city",
        office=WITHDRAWAL_OFFICE, days=0, online=True, instant=True, url="hall-withdraw-apply", arg="LEAVING_CITY",
        notes="适用于非本市户籍职工：账户封存满6个月且在本市无新的缴存；提取全部余额及利息并销户。",
        notes_en="For employees without household registration here: the account sealed for six months "
        "and no new deposit in the city; the whole balance with interest is paid and the account closed.",
    ),
    item(
        "WITHDRAW_EMIGRATION", "WITHDRAWALS", "出境定居提取", "Withdrawal on settling abroad",
        office=WITHDRAWAL_OFFICE, days=3, online=True, url="hall-withdraw-apply", arg="EMIGRATION",
        materials=["出境定居证明（公安出入境数据可核验的免交）"],
        materials_en=["Proof of settling abroad (not needed when the exit-entry data shows it)"],
        notes="提取全部余额及利息并销户。",
        notes_en="The whole balance with interest is paid and the account closed.",
    ),
    item(
        "WITHDRAW_INCAPACITY", "WITHDRAWALS", "完全丧失劳动能力提取", "Withdrawal on total incapacity for work",
        office=WITHDRAWAL_OFFICE, days=3, online=True, url="hall-withdraw-apply", arg="INCAPACITY",
        materials=["劳动能力鉴定结论", "与单位终止劳动关系的证明"],
        materials_en=["The work-capacity assessment", "Proof that the employment has ended"],
        notes="在网上服务大厅上传材料，由提取科审核。",
        notes_en="Upload the documents in the online hall; the Withdrawal Section reviews them.",
    ),
    item(
        "WITHDRAW_DEATH", "WITHDRAWALS", "职工死亡或被宣告死亡提取", "Withdrawal on the account holder's death",
        office=COUNTERS, days=3, channels=COUNTER_ONLY,
        materials=[
            "死亡证明或宣告死亡判决（民政、公安数据可核验的免交）",
            "继承权或受遗赠权公证书，或人民法院判决书",
            "继承人或受遗赠人身份证件",
        ],
        materials_en=[
            "The death certificate or declaration of death (not needed when civil affairs or police data shows it)",
            "The notarised right of inheritance or bequest, or the court's judgment",
            "The heir's or legatee's identity card",
        ],
        notes="由继承人或受遗赠人到服务柜台办理。",
        notes_en="The heir or legatee applies at a service counter.",
    ),
    item(
        "WITHDRAW_SERIOUS_ILLNESS", "WITHDRAWALS", "重大疾病医疗提取", "Withdrawal for serious illness",
        office=WITHDRAWAL_OFFICE, days=3, online=True, url="hall-withdraw-apply", arg="SERIOUS_ILLNESS",
        materials=["二级及以上医院出具的诊断证明", "医疗费用票据"],
        materials_en=["The diagnosis from a hospital of grade two or higher", "The medical bills"],
        notes="本人、配偶、父母或子女患重大疾病的可申请。",
        notes_en="For a serious illness of yourself, your spouse, a parent or a child.",
    ),
    item(
        "WITHDRAW_DISASTER", "WITHDRAWALS", "遭遇重大自然灾害提取", "Withdrawal after a natural disaster",
        office=WITHDRAWAL_OFFICE, days=3, online=True, url="hall-withdraw-apply", arg="DISASTER",
        materials=["街道办事处或民政部门出具的受灾证明"],
        materials_en=["The disaster certificate from the sub-district office or civil affairs"],
        notes="家庭生活严重困难的可申请。",
        notes_en="When the disaster leaves the family in serious hardship.",
    ),
    item(
        "WITHDRAW_ELEVATOR", "WITHDRAWALS", "既有住宅加装电梯提取", "Withdrawal for installing a lift",
        office=WITHDRAWAL_OFFICE, days=3, online=True, url="hall-withdraw-apply", arg="ELEVATOR",
        materials=["加装电梯备案或批准文件", "费用分摊协议及付款凭证"],
        materials_en=["The lift installation's filing or approval", "The cost-sharing agreement and proof of payment"],
        notes="本人及配偶所有的本市既有住宅加装电梯，按分摊金额提取。",
        notes_en="For a lift added to an existing building where you or your spouse own a home, up to "
        "your share of the cost.",
    ),
    # 贷款 ---------------------------------------------------------------------------------------
    item(
        "LOAN_QUOTA_ESTIMATE", "LOANS", "贷款额度试算", "Loan quota estimate",
        office=LOAN_OFFICE, days=0, online=True, instant=True, url="loan-quota", channels=PUBLIC_TOOL,
        notes="无需登录：按余额倍数、还款能力、房价比例和最高限额四项取低值，即时显示。",
        notes_en="No login needed: the least of the balance multiple, repayment ability, price ratio and "
        "city cap, shown at once.",
    ),
    item(
        "LOAN_SCHEDULE_ESTIMATE", "LOANS", "还款计划试算", "Repayment schedule estimate",
        office=LOAN_OFFICE, days=0, online=True, instant=True, url="loan-schedule", channels=PUBLIC_TOOL,
        notes="无需登录：等额本息或等额本金的每月还款额及利息合计。",
        notes_en="No login needed: each month's payment and the total interest, equal instalments or "
        "equal principal.",
    ),
    item(
        "LOAN_PRE_APPLICATION", "LOANS", "贷款资格及额度预审（预受理）", "Loan pre-acceptance: eligibility and quota",
        office=LOAN_OFFICE, days=0, online=True, instant=True, url="hall-loan-apply",
        notes="登录后按本中心账户、征信和不动产登记数据即时核验贷款资格并给出额度。",
        notes_en="Once logged in, eligibility and the quota are checked at once against your account, "
        "the credit bureau and the property register.",
    ),
    item(
        "LOAN_APPLICATION", "LOANS", "住房公积金贷款申请", "Applying for a fund loan",
        office=LOAN_OFFICE, days=15, online=True, url="hall-loan-apply",
        notes="无需单位盖章，就业情况通过社保数据核验；中心承诺自申请至放款8个工作日。",
        notes_en="No employer stamp: employment is checked with the social security data. The centre "
        "promises 8 working days from application to disbursement.",
    ),
    item(
        "LOAN_CONTRACT_SIGNING", "LOANS", "借款合同签订", "Signing the loan contract",
        office=COUNTERS, days=0, channels=COUNTER_ONLY, booking="LOAN_SIGNING",
        materials=["借款人及共同借款人的身份证件原件"],
        materials_en=["The borrower's and any co-borrower's identity cards"],
        notes="贷款审批通过后，借款人与共同借款人预约到服务柜台面签合同。",
        notes_en="Once the loan is approved, the borrower and any co-borrower book a visit and sign the "
        "contract in person at a counter.",
    ),
    item(
        "LOAN_PARTIAL_PREPAYMENT", "LOANS", "部分提前还款", "Repaying part of a loan early",
        office=LOAN_OFFICE, days=0, online=True, url="hall-loans",
        notes="在“我的贷款”中打开贷款账户：可选择缩短期限或减少月还款额，两种结果并列显示后再确认。",
        notes_en="Open the loan account under My loans: choose a shorter term or a lower monthly payment, "
        "with both results side by side before you confirm.",
    ),
    item(
        "LOAN_FULL_SETTLEMENT", "LOANS", "一次性结清贷款", "Settling a loan in full",
        office=LOAN_OFFICE, days=0, online=True, url="hall-loans",
        notes="在“我的贷款”中打开贷款账户，查看结清金额后确认。",
        notes_en="Open the loan account under My loans, see the amount to settle, and confirm.",
    ),
    item(
        "LOAN_REPAYMENT_ACCOUNT_CHANGE", "LOANS", "还款方式及扣款账户变更", "Changing how a loan is repaid",
        office=LOAN_OFFICE, days=0, online=True, url="hall-loans",
        notes="在贷款账户页选择从银行卡扣款或委托按月从公积金账户还款，自下一期起生效。",
        notes_en="On the loan account page, choose the bank card or monthly payment from the fund "
        "account; it applies from the next instalment.",
    ),
    item(
        "LOAN_SETTLED_CERTIFICATE", "LOANS", "贷款结清证明", "Loan-settled certificate",
        office=LOAN_OFFICE, days=0, online=True, url="hall-loans",
        notes="结清后在贷款账户页下载带电子签章的结清证明，任何人可在本网站“核验电子签章”查验真伪。",
        notes_en="After settlement, download the certificate with its electronic seal from the loan "
        "account page; anyone can check it under Check an electronic seal on this site.",
    ),
    item(
        "LOAN_COMMERCIAL_CONVERSION", "LOANS", "商业性住房贷款转住房公积金贷款", "Converting a commercial home loan to a fund loan",
        office=LOAN_OFFICE, days=15, channels=COUNTER_ONLY,
        materials=[
            "商业住房贷款借款合同",
            "贷款银行出具的贷款余额及还款明细",
            "不动产权证书（不动产登记数据可核验的免交）",
        ],
        materials_en=[
            "The commercial home-loan contract",
            "The lending bank's statement of the balance and repayments",
            "The title deed (not needed when the property register shows it)",
        ],
        notes="即“商转公”：符合公积金贷款条件的，可申请以公积金贷款结清原商业贷款。",
        notes_en="If you meet the fund-loan conditions, a fund loan can pay off the commercial loan "
        "(商转公).",
    ),
]


def seed(apps, schema_editor):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    existing = set(ServiceItem.objects.values_list("code", flat=True))
    ServiceItem.objects.bulk_create(
        ServiceItem(display_order=order * 10, published=True, **fields)
        for order, fields in enumerate(ITEMS, start=1)
        if fields["code"] not in existing
    )


def unseed(apps, schema_editor):
    ServiceItem = apps.get_model("catalogue", "ServiceItem")
    ServiceItem.objects.filter(code__in=[fields["code"] for fields in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
