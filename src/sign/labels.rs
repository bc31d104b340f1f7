//! The words of a visible signature in the statement's language: "Digitally signed by",
//! "Time-stamped ... by", "Signature of". They are template lines like the layout's own, so a
//! layout's `[translations.LANG]` can change them, and communique's table has them in the
//! languages it sets.

use crate::Layout;

/// The three templates, with `{name}` (the signer or signatory), `{time}` and `{tsa}` (the
/// timestamp's time and authority).
#[derive(Clone, Debug, PartialEq)]
pub struct Labels {
    pub signed_by: String,
    pub time_stamped: String,
    pub signature_of: String,
}

impl Labels {
    pub const SIGNED_BY: &str = "Digitally signed by {name}";
    pub const TIME_STAMPED: &str = "Time-stamped {time} by {tsa}";
    pub const SIGNATURE_OF: &str = "Signature of {name}";
    pub const TEMPLATES: [&str; 3] = [Self::SIGNED_BY, Self::TIME_STAMPED, Self::SIGNATURE_OF];

    /// In `language`: the layout's `[translations]`, then communique's table, then English.
    pub fn localized(layout: &Layout, language: &str) -> Labels {
        let [signed_by, time_stamped, signature_of] =
            Self::TEMPLATES.map(|t| layout.localized(t, language).to_string());
        Labels {
            signed_by,
            time_stamped,
            signature_of,
        }
    }

    /// In `language` from communique's table alone: for a PDF signed without its layout,
    /// by the document's /Lang.
    pub fn for_language(language: &str) -> Labels {
        let [signed_by, time_stamped, signature_of] = Self::TEMPLATES.map(|t| {
            crate::layout::bundled_translation(language, t)
                .unwrap_or(t)
                .to_string()
        });
        Labels {
            signed_by,
            time_stamped,
            signature_of,
        }
    }

    /// The lines of a visible signature by `name`: who signed, and when. With a TSA the
    /// time and the authority come from its token ([`super::TSA_TIME`], [`super::TSA_NAME`]);
    /// otherwise the claimed signing time ([`super::SIGNING_TIME`]).
    pub fn lines(&self, name: &str, with_tsa: bool) -> Vec<String> {
        let when = if with_tsa {
            (self.time_stamped.replace("{time}", super::TSA_TIME)).replace("{tsa}", super::TSA_NAME)
        } else {
            super::SIGNING_TIME.to_string()
        };
        vec![self.signed_by.replace("{name}", name), when]
    }

    /// The text of signatory `name`'s empty field.
    pub fn signature_of(&self, name: &str) -> String {
        self.signature_of.replace("{name}", name)
    }
}

impl Default for Labels {
    fn default() -> Labels {
        Labels::for_language("en")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_the_default_and_other_languages_come_from_the_table() {
        let en = Labels::default();
        assert_eq!(
            en.lines("Jane Doe", false),
            ["Digitally signed by Jane Doe", super::super::SIGNING_TIME]
        );
        let fr = Labels::for_language("fr-BE");
        assert_eq!(
            fr.lines("Anne Martin", false)[0],
            "Signé numériquement par Anne Martin"
        );
        assert_eq!(
            fr.lines("A", true)[1],
            format!(
                "Horodaté le {} par {}",
                super::super::TSA_TIME,
                super::super::TSA_NAME
            )
        );
        assert_eq!(
            Labels::for_language("zh-Hans").signature_of("李明"),
            "李明的签名"
        );
        assert_eq!(
            Labels::for_language("zh-Hant").signature_of("李明"),
            "李明的簽名"
        );
        assert_eq!(Labels::for_language("lv"), en);
    }

    #[test]
    fn a_layout_translation_comes_first() {
        let layout = Layout::parse(
            std::path::Path::new("x.toml"),
            "[translations.fr]\n\"Digitally signed by {name}\" = \"Signé par {name}\"\n",
        )
        .unwrap();
        let fr = Labels::localized(&layout, "fr");
        assert_eq!(fr.signed_by, "Signé par {name}");
        assert_eq!(fr.signature_of, "Signature de {name}");
    }
}
