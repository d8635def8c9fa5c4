//! The e-invoice profile, named by the document's guideline / customization ID.

use std::fmt;

/// Which standard and level an invoice claims to follow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Profile {
    Minimum,
    BasicWl,
    Basic,
    En16931,
    Extended,
    XRechnung,
    /// An ID this module does not know, kept verbatim.
    Unknown(String),
}

/// IDs as the specifications write them. Checked before the heuristics so
/// that the well-known ones never depend on substring rules.
const KNOWN: &[(&str, Profile)] = &[
    ("urn:factur-x.eu:1p0:minimum", Profile::Minimum),
    ("urn:zugferd.de:2p0:minimum", Profile::Minimum),
    ("urn:factur-x.eu:1p0:basicwl", Profile::BasicWl),
    ("urn:zugferd.de:2p0:basicwl", Profile::BasicWl),
    (
        "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
        Profile::Basic,
    ),
    (
        "urn:cen.eu:en16931:2017#compliant#urn:zugferd.de:2p0:basic",
        Profile::Basic,
    ),
    ("urn:cen.eu:en16931:2017", Profile::En16931),
    (
        "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
        Profile::Extended,
    ),
    (
        "urn:cen.eu:en16931:2017#conformant#urn:zugferd.de:2p0:extended",
        Profile::Extended,
    ),
    (
        "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
        Profile::XRechnung,
    ),
    (
        "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0",
        Profile::XRechnung,
    ),
    (
        "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3",
        Profile::XRechnung,
    ),
    (
        "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.2",
        Profile::XRechnung,
    ),
    (
        "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.1",
        Profile::XRechnung,
    ),
    (
        "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.0",
        Profile::XRechnung,
    ),
];

impl Profile {
    /// Classifies a guideline ID (CII) or customization ID (UBL).
    ///
    /// Unknown IDs fall back to substring rules, because producers append
    /// version suffixes and extension markers more or less freely; an ID
    /// no rule fits is kept as `Unknown`.
    pub fn from_id(id: &str) -> Profile {
        let id = id.trim();
        if let Some((_, profile)) = KNOWN.iter().find(|(known, _)| *known == id) {
            return profile.clone();
        }
        let lower = id.to_ascii_lowercase();
        if lower.contains("xrechnung") {
            Profile::XRechnung
        } else if lower.contains("extended") {
            Profile::Extended
        } else if lower.ends_with(":basicwl") {
            Profile::BasicWl
        } else if lower.ends_with(":basic") {
            Profile::Basic
        } else if lower.ends_with(":minimum") {
            Profile::Minimum
        } else if lower.starts_with("urn:cen.eu:en16931:2017") {
            // Includes CIUS like Peppol BIS Billing 3.0
            // ("…#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0").
            Profile::En16931
        } else {
            Profile::Unknown(id.to_owned())
        }
    }

    /// Display name as the standards spell it.
    pub fn label(&self) -> &str {
        match self {
            Profile::Minimum => "MINIMUM",
            Profile::BasicWl => "BASIC WL",
            Profile::Basic => "BASIC",
            Profile::En16931 => "EN 16931",
            Profile::Extended => "EXTENDED",
            Profile::XRechnung => "XRECHNUNG",
            Profile::Unknown(id) => id,
        }
    }

    /// Stable lowercase identifier for storage; never changes once released.
    pub fn key(&self) -> &'static str {
        match self {
            Profile::Minimum => "minimum",
            Profile::BasicWl => "basic_wl",
            Profile::Basic => "basic",
            Profile::En16931 => "en16931",
            Profile::Extended => "extended",
            Profile::XRechnung => "xrechnung",
            Profile::Unknown(_) => "unknown",
        }
    }

    /// Whether the profile carries the full EN 16931 data set (line items,
    /// tax breakdown); MINIMUM and BASIC WL are bookkeeping aids only and
    /// are not invoices in the sense of § 14 UStG.
    pub fn is_full_invoice(&self) -> bool {
        !matches!(
            self,
            Profile::Minimum | Profile::BasicWl | Profile::Unknown(_)
        )
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_ids() {
        let cases = [
            ("urn:factur-x.eu:1p0:minimum", Profile::Minimum),
            ("urn:zugferd.de:2p0:minimum", Profile::Minimum),
            ("urn:factur-x.eu:1p0:basicwl", Profile::BasicWl),
            ("urn:zugferd.de:2p0:basicwl", Profile::BasicWl),
            ("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic", Profile::Basic),
            ("urn:cen.eu:en16931:2017", Profile::En16931),
            (
                "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
                Profile::Extended,
            ),
            (
                "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
                Profile::XRechnung,
            ),
            (
                "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0#conformant#urn:xeinkauf.de:kosit:extension:xrechnung_3.0",
                Profile::XRechnung,
            ),
            (
                "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.2",
                Profile::XRechnung,
            ),
        ];
        for (id, expected) in cases {
            assert_eq!(Profile::from_id(id), expected, "{id}");
        }
    }

    #[test]
    fn fallbacks() {
        assert_eq!(
            Profile::from_id(
                "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
            ),
            Profile::En16931
        );
        assert_eq!(
            Profile::from_id(
                "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.1"
            ),
            Profile::XRechnung
        );
        assert_eq!(
            Profile::from_id("urn:factur-x.eu:1p0:EXTENDED"),
            Profile::Extended
        );
        assert_eq!(
            Profile::from_id("urn:zugferd.de:2p1:basicwl"),
            Profile::BasicWl
        );
        assert_eq!(Profile::from_id("urn:zugferd.de:2p1:basic"), Profile::Basic);
        assert_eq!(
            Profile::from_id("urn:zugferd.de:2p1:minimum"),
            Profile::Minimum
        );
        assert_eq!(
            Profile::from_id("  urn:cen.eu:en16931:2017 "),
            Profile::En16931
        );
        assert_eq!(
            Profile::from_id("urn:example:custom"),
            Profile::Unknown("urn:example:custom".into())
        );
    }

    #[test]
    fn labels_and_keys() {
        let all = [
            (Profile::Minimum, "MINIMUM", "minimum"),
            (Profile::BasicWl, "BASIC WL", "basic_wl"),
            (Profile::Basic, "BASIC", "basic"),
            (Profile::En16931, "EN 16931", "en16931"),
            (Profile::Extended, "EXTENDED", "extended"),
            (Profile::XRechnung, "XRECHNUNG", "xrechnung"),
            (Profile::Unknown("urn:x".into()), "urn:x", "unknown"),
        ];
        for (profile, label, key) in all {
            assert_eq!(profile.label(), label);
            assert_eq!(profile.to_string(), label);
            assert_eq!(profile.key(), key);
        }
        assert!(Profile::En16931.is_full_invoice());
        assert!(!Profile::Minimum.is_full_invoice());
    }
}
