"""Production's default sources until a real connector is configured: every call is Unavailable.

With these, every decision that needs a government fact is referred to staff (a missing source
never rejects), which is honest for a centre whose data-sharing links are not yet connected.
"""

from __future__ import annotations

from . import ports


class _NotConnected:
    error: type[ports.SourceUnavailable] = ports.SourceUnavailable

    def _refuse(self, *args, timeout: float, **kwargs):
        raise self.error(f"{self.error.source}: not connected")


def _not_connected(port: type, error: type[ports.SourceUnavailable]) -> type:
    methods = {
        name: _NotConnected._refuse
        for name in vars(port)
        if not name.startswith("_") and callable(getattr(port, name))
    }
    return type(f"NotConnected{port.__name__}", (_NotConnected,), {"error": error, **methods})


NotConnectedPublicSecurity = _not_connected(ports.PublicSecurity, ports.PublicSecurityUnavailable)
NotConnectedMarketRegulation = _not_connected(ports.MarketRegulation, ports.MarketRegulationUnavailable)
NotConnectedSocialSecurity = _not_connected(ports.SocialSecurity, ports.SocialSecurityUnavailable)
NotConnectedCivilAffairs = _not_connected(ports.CivilAffairs, ports.CivilAffairsUnavailable)
NotConnectedEmploymentOffice = _not_connected(ports.EmploymentOffice, ports.EmploymentOfficeUnavailable)
NotConnectedRealEstate = _not_connected(ports.RealEstate, ports.RealEstateUnavailable)
NotConnectedCreditBureau = _not_connected(ports.CreditBureau, ports.CreditBureauUnavailable)

NOT_CONNECTED = {
    "public_security": "integrations.gov.unconfigured.NotConnectedPublicSecurity",
    "market_regulation": "integrations.gov.unconfigured.NotConnectedMarketRegulation",
    "social_security": "integrations.gov.unconfigured.NotConnectedSocialSecurity",
    "civil_affairs": "integrations.gov.unconfigured.NotConnectedCivilAffairs",
    "employment_office": "integrations.gov.unconfigured.NotConnectedEmploymentOffice",
    "real_estate": "integrations.gov.unconfigured.NotConnectedRealEstate",
    "credit_bureau": "integrations.gov.unconfigured.NotConnectedCreditBureau",
}
