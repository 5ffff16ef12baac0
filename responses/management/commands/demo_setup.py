import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context, tenant_context

from monitoring.models import BrandKind
from monitoring.services import brand_create, rule_create
from responses.models import Scenario
from responses.playbooks.services import playbook_create
from responses.promotion.services import warning_policy_create
from tenants.identity.models import User
from tenants.identity.principals import SYSTEM
from tenants.identity.roles import Role
from tenants.identity.services import user_create
from tenants.models import Tenant
from tenants.notifications.services import channel_create
from tenants.services import tenant_create, tenant_delete


class Command(BaseCommand):
    help = "Create the demo tenant afresh (dropping a previous one) and write its credentials to a JSON file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", default="demo")
        parser.add_argument("--admin-email", default="admin@demo.vigil.example")
        parser.add_argument("--credentials", default=str(settings.BASE_DIR / ".demo" / "credentials.json"))
        parser.add_argument("--webhook-url", default="http://127.0.0.1:8765/vigil")

    def handle(self, *args: object, **options: str) -> None:
        slug = options["slug"]
        if Tenant.objects.filter(slug=slug).exists():
            self.stdout.write(f"Dropping the previous '{slug}' tenant")
            tenant_delete(slug=slug)
        path = Path(options["credentials"])
        previous = json.loads(path.read_text()) if path.exists() else {}
        # An agency's plan: the trial's limits (3 seats, 60 requests a minute) would stop the demo's own team.
        created = tenant_create(slug=slug, name="Demo Agency", admin_email=options["admin_email"], plan="agency")
        with tenant_context(Tenant.objects.get(slug=slug)):
            self._watchlist()
            self._playbook()
            team = self._team()
            channel = channel_create(
                actor=SYSTEM, name="Demo receiver", kind="webhook", format="generic", url=options["webhook_url"]
            )
        billing_admin = self._billing_admin(previous.get("billing_admin") or {})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "tenant": created.slug,
                    "host": created.domain,
                    "admin_email": created.admin_email,
                    "admin_password": created.admin_password,
                    "api_key": created.api_key,
                    "webhook_url": channel.url,
                    "webhook_secret": channel.secret,
                    "team": team,
                    "billing_admin": billing_admin,
                },
                indent=2,
            )
        )
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Demo tenant '{slug}' ready; credentials in {path}"))

    def _billing_admin(self, previous: dict[str, str]) -> dict[str, str]:
        """The platform's billing admin, made once; a later demo reuses its login from the credentials file."""
        email = "billing@demo.vigil.example"
        with schema_context("public"):
            if User.objects.filter(email=email).exists():
                if previous.get("email") == email:
                    return previous
                # Made by an earlier demo whose credentials are gone: another one, rather than a reset by hand.
                email = f"billing-{secrets.token_hex(3)}@demo.vigil.example"
            password = secrets.token_urlsafe(12)
            user_create(actor=SYSTEM, email=email, password=password, role=Role.BILLING_ADMIN, name="Demo billing")
        return {"email": email, "password": password}

    def _watchlist(self) -> None:
        """What an agency with a phone-maker client would watch: its brand, a competitor, safety incidents."""
        own = brand_create(
            actor=SYSTEM,
            name="三星 Samsung",
            kind=BrandKind.OWN,
            expression='三星 OR samsung OR "galaxy note"',
            keywords=["三星", "Galaxy Note2", "Note2"],
        )
        brand_create(
            actor=SYSTEM,
            name="苹果 Apple",
            kind=BrandKind.COMPETITOR,
            expression="苹果 OR iphone OR apple",
            keywords=["iPhone"],
        )
        rule_create(
            actor=SYSTEM,
            name="产品安全事故 Product safety",
            expression="爆炸 OR 烧伤 OR 起火 OR 自燃 OR explode",
            description="Injuries or fires involving a product",
        )
        rule_create(actor=SYSTEM, name="维权与投诉 Complaints", expression="投诉 OR 维权 OR 索赔 OR 退货 OR 召回")
        rule_create(
            actor=SYSTEM,
            name="官方回应 Official response",
            expression="(回应 OR 声明 OR 致歉) AND NOT 网友",
            description="Statements by the company or authorities",
        )
        # The replay squeezes days into two minutes, so the demo policy looks at short windows and lets go quickly.
        warning_policy_create(
            actor=SYSTEM,
            name="Demo: own brand, fast",
            scope_kind="brand",
            scope_ids=[own.pk],
            realert_minutes=60,
            resolve_after=2,
            weighting="ahp",
            indicators=[
                {"key": "volume", "type": "volume", "window_minutes": 2, "params": {"low": 5, "high": 150}},
                {"key": "negative", "type": "negative_ratio", "window_minutes": 2, "params": {"min_count": 5}},
                {
                    "key": "crisis_terms",
                    "type": "keyword_frequency",
                    "window_minutes": 2,
                    "params": {"low": 1, "high": 40},
                },
                {"key": "spread", "type": "spread_velocity", "window_minutes": 2, "params": {"low": 2, "high": 60}},
            ],
            ahp_matrix=[[1, 2, 1, 1], [1 / 2, 1, 1 / 2, 1 / 2], [1, 2, 1, 1], [1, 2, 1, 1]],
            # From yellow on, the own brand's alert opens a product-quality case by itself.
            promote_level="yellow",
            promote_own_brands_only=True,
            promote_scenario=Scenario.PRODUCT_QUALITY,
        )

    def _team(self) -> dict[str, dict[str, str]]:
        """People who will staff the case: case roles come on top of modest tenant roles."""
        people = {
            "commander": ("commander@demo.vigil.example", "张总 (crisis commander)", "responder"),
            "legal": ("legal@demo.vigil.example", "李律师 (legal)", "approver"),
            "communications": ("comms@demo.vigil.example", "王经理 (communications)", "responder"),
            "monitoring": ("monitor@demo.vigil.example", "赵分析师 (monitoring)", "analyst"),
        }
        team = {}
        for case_role, (email, name, role) in people.items():
            password = secrets.token_urlsafe(12)
            user = user_create(actor=SYSTEM, email=email, password=password, role=role, name=name)
            team[case_role] = {"id": str(user.pk), "email": email, "password": password, "tenant_role": role}
        return team

    def _playbook(self) -> None:
        """The agency's product-safety playbook (預案): who does what in the first hours, and the holding statement."""
        playbook_create(
            actor=SYSTEM,
            name="产品安全危机 Product safety crisis",
            scenario=Scenario.PRODUCT_QUALITY,
            description="A product hurts people or catches fire and it spreads on social media.",
            content={
                "tasks": [
                    {
                        "title": "Convene the crisis team",
                        "role": "commander",
                        "due_minutes": 15,
                        "priority": "critical",
                    },
                    {"title": "Track spread and key accounts", "role": "monitoring", "due_minutes": 30},
                    {
                        "title": "Verify the facts with engineering and the retailer",
                        "role": "analysis",
                        "due_minutes": 45,
                        "priority": "high",
                    },
                    {
                        "title": "Publish the holding statement",
                        "role": "communications",
                        "due_minutes": 60,
                        "priority": "critical",
                        "checklist": ["Facts confirmed", "Legal approval", "Commander approval", "Weibo + website"],
                    },
                    {"title": "Review liability wording", "role": "legal", "due_minutes": 45, "priority": "high"},
                    {"title": "Contact the affected customer", "role": "customer_care", "due_minutes": 120},
                ],
                "statements": [
                    {
                        "title": "关于Galaxy Note 2用户反馈的说明",
                        "body": "我们已关注到网友反映的Galaxy Note 2手机发生意外的情况，高度重视并已第一时间"
                        "联系当事用户。我们正在与相关方共同核实原因，将及时公布调查进展。",
                        "channels": ["weibo", "website"],
                        "required_approvals": ["legal", "commander"],
                    }
                ],
                "contacts": [
                    {
                        "name": "王律师",
                        "organisation": "外部律所 External counsel",
                        "role": "legal",
                        "phone": "+86 10 0000 0000",
                    },
                    {
                        "name": "质量部 Quality",
                        "organisation": "Client",
                        "role": "engineering",
                        "email": "qa@client.example",
                    },
                ],
                "escalation": [
                    {"after_minutes": 30, "condition": "no_statement", "notify_roles": ["commander", "legal"]}
                ],
            },
            change_note="Initial version",
        )
