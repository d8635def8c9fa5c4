//! The portal's two languages. German is the default and the source of
//! truth; English comes second, complete. Every text lives in the Fluent
//! files `app/i18n/{de,en}/kundenportal.ftl`; code names a message by its id
//! through [`t!`](crate::t), which `fl!` (i18n-embed-fl) checks at compile
//! time — the id and its arguments — against the German file. A test here
//! fails when the English file misses an id or differs in its arguments.
//!
//! Which language a request gets ([`Lang::for_request`]): the switch's
//! cookie (set by the footer's link, by Profil → Sprache and at sign-in from
//! the user's setting), else the browser's `Accept-Language`, else
//! `KP_DEFAULT_LANGUAGE`. Mails use the recipient's setting instead.
//!
//! Only the server translates: pages are rendered there, and an island gets
//! the few texts it shows as props, so the WASM carries no translations.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::De, Lang::En];

    /// The BCP 47 tag: `<html lang>`, `Content-Language`, the cookie, the database.
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// Exactly `de` or `en` (a form's value, an address, the configuration).
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|lang| lang.code() == code.trim())
    }

    /// `de`, `en`, or a tag with one of them as its language (`de-AT`, `en-GB`); case does not matter.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("de") {
            Some(Lang::De)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The browser's first choice among ours, by quality (`Accept-Language: fr, en;q=0.8, de;q=0.5` is English).
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(Lang, u16)> = None;
        for item in header.split(',').take(32) {
            let mut pieces = item.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else { continue };
            let quality = pieces
                .filter_map(|piece| piece.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .map_or(1000, |q| (q.clamp(0.0, 1.0) * 1000.0) as u16);
            if quality > 0 && best.is_none_or(|(_, seen)| quality > seen) {
                best = Some((lang, quality));
            }
        }
        best.map(|(lang, _)| lang)
    }

    /// The language of this request: the switch's cookie, else
    /// `Accept-Language`, else the operator's default.
    #[cfg(feature = "ssr")]
    pub fn for_request(headers: &http::HeaderMap, default: Lang) -> Lang {
        let chosen = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(cookie::Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == COOKIE)
            .and_then(|cookie| Lang::from_code(cookie.value()));
        chosen
            .or_else(|| headers.get(http::header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()).and_then(Lang::from_accept_language))
            .unwrap_or(default)
    }
}

/// A plain handler's language: the one `server::language::choose_language`
/// settled for the request (it runs around every route).
#[cfg(feature = "ssr")]
impl Lang {
    pub fn of_request(parts: &http::request::Parts) -> Lang {
        parts.extensions.get::<Lang>().copied().unwrap_or_default()
    }
}

#[cfg(feature = "ssr")]
impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of_request(parts))
    }
}

/// The switch's cookie: the language this browser chose.
pub const COOKIE: &str = "kp_sprache";

/// The language of the page or server function being answered (the
/// request's, chosen by the server's middleware); German outside a request.
#[cfg(feature = "ssr")]
pub fn lang() -> Lang {
    use leptos::prelude::use_context;
    use_context::<Lang>()
        .or_else(|| use_context::<http::request::Parts>().map(|parts| Lang::of_request(&parts)))
        .unwrap_or_default()
}

/// In the browser: the page's `<html lang>`, which the server set.
#[cfg(not(feature = "ssr"))]
pub fn lang() -> Lang {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::document()
            .document_element()
            .and_then(|html| html.get_attribute("lang"))
            .and_then(|tag| Lang::parse(&tag))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Lang::De
}

#[cfg(feature = "ssr")]
pub use i18n_embed_fl::fl as __fl;

/// The text of message `id` in `lang`, with its arguments:
/// `t!(lang, "documents-count", count = n)`. Id and arguments are checked
/// against the German file when the server compiles. Outside the server
/// (the WASM, where only islands run) it is empty: islands get their texts
/// as props.
#[cfg(feature = "ssr")]
#[macro_export]
macro_rules! t {
    ($lang:expr, $id:literal $(,)?) => {
        $crate::i18n::__fl!($crate::i18n::loader($lang), $id)
    };
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::__fl!($crate::i18n::loader($lang), $id, $($name = ($value)),+)
    };
}

#[cfg(not(feature = "ssr"))]
#[macro_export]
macro_rules! t {
    ($lang:expr, $id:literal $(,)?) => {{
        let _ = $lang;
        ::std::string::String::new()
    }};
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let _ = $lang;
        $(let _ = &$value;)+
        ::std::string::String::new()
    }};
}

#[cfg(feature = "ssr")]
mod loaders {
    use super::Lang;
    use i18n_embed::fluent::FluentLanguageLoader;
    use i18n_embed::unic_langid::LanguageIdentifier;
    use i18n_embed::{I18nAssets, LanguageLoader};
    use std::borrow::Cow;
    use std::sync::OnceLock;

    pub(super) const GERMAN: &str = include_str!("../i18n/de/kundenportal.ftl");
    pub(super) const ENGLISH: &str = include_str!("../i18n/en/kundenportal.ftl");

    /// The two files, compiled in (`include_str!` also makes a changed file rebuild the crate).
    struct CompiledIn;

    impl I18nAssets for CompiledIn {
        fn get_files(&self, file_path: &str) -> Vec<Cow<'_, [u8]>> {
            match file_path {
                "de/kundenportal.ftl" => vec![Cow::Borrowed(GERMAN.as_bytes())],
                "en/kundenportal.ftl" => vec![Cow::Borrowed(ENGLISH.as_bytes())],
                _ => Vec::new(),
            }
        }

        fn filenames_iter(&self) -> Box<dyn Iterator<Item = String> + '_> {
            Box::new(["de/kundenportal.ftl", "en/kundenportal.ftl"].into_iter().map(str::to_owned))
        }
    }

    fn identifier(lang: Lang) -> LanguageIdentifier {
        lang.code().parse().unwrap_or_default()
    }

    fn load(lang: Lang) -> FluentLanguageLoader {
        let loader = FluentLanguageLoader::new("kundenportal", identifier(Lang::De));
        if let Err(error) = loader.load_languages(&CompiledIn, &[identifier(lang)]) {
            // Only a broken file in the build gets here; the test below fails first.
            tracing::error!(%error, language = lang.code(), "translations not loaded");
        }
        // Without the Unicode isolation marks Fluent puts around arguments: plain text in mails and attributes.
        loader.set_use_isolating(false);
        loader
    }

    /// Parsed once, then shared: the texts are as fixed as the binary.
    pub fn loader(lang: Lang) -> &'static FluentLanguageLoader {
        static LOADERS: OnceLock<[FluentLanguageLoader; 2]> = OnceLock::new();
        let [german, english] = LOADERS.get_or_init(|| [load(Lang::De), load(Lang::En)]);
        match lang {
            Lang::De => german,
            Lang::En => english,
        }
    }
}

#[cfg(feature = "ssr")]
pub use loaders::loader;

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn accept_language_picks_the_best_of_ours() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9,de;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("fr, de;q=0.5, en;q=0.4"), Some(Lang::De));
        assert_eq!(Lang::from_accept_language("de-AT;q=0.2, en-GB;q=0.7"), Some(Lang::En));
        assert_eq!(Lang::from_accept_language("en;q=0, de;q=0.1"), Some(Lang::De));
        assert_eq!(Lang::from_accept_language("fr, it"), None);
        assert_eq!(Lang::from_accept_language(""), None);
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("deutsch"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn both_files_have_every_message_with_the_same_arguments() {
        use fluent_syntax::ast;
        use std::collections::{BTreeMap, BTreeSet};

        fn variables_of_pattern(pattern: &ast::Pattern<&str>, found: &mut BTreeSet<String>) {
            for element in &pattern.elements {
                if let ast::PatternElement::Placeable { expression } = element {
                    variables_of_expression(expression, found);
                }
            }
        }
        fn variables_of_expression(expression: &ast::Expression<&str>, found: &mut BTreeSet<String>) {
            match expression {
                ast::Expression::Select { selector, variants } => {
                    variables_of_inline(selector, found);
                    for variant in variants {
                        variables_of_pattern(&variant.value, found);
                    }
                }
                ast::Expression::Inline(inline) => variables_of_inline(inline, found),
            }
        }
        fn variables_of_inline(inline: &ast::InlineExpression<&str>, found: &mut BTreeSet<String>) {
            match inline {
                ast::InlineExpression::VariableReference { id } => {
                    found.insert(id.name.to_owned());
                }
                ast::InlineExpression::Placeable { expression } => variables_of_expression(expression, found),
                ast::InlineExpression::FunctionReference { arguments, .. } => {
                    for argument in &arguments.positional {
                        variables_of_inline(argument, found);
                    }
                }
                _ => {}
            }
        }
        fn messages(name: &str, source: &'static str) -> BTreeMap<String, BTreeSet<String>> {
            let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| panic!("{name}: {errors:?}"));
            let mut found = BTreeMap::new();
            for entry in resource.body {
                if let ast::Entry::Message(message) = entry {
                    let mut variables = BTreeSet::new();
                    if let Some(value) = &message.value {
                        variables_of_pattern(value, &mut variables);
                    }
                    assert!(found.insert(message.id.name.to_owned(), variables).is_none(), "{name}: {} twice", message.id.name);
                }
            }
            found
        }
        let german = messages("de", super::loaders::GERMAN);
        let english = messages("en", super::loaders::ENGLISH);
        let missing: Vec<&String> = german.keys().filter(|id| !english.contains_key(*id)).collect();
        let extra: Vec<&String> = english.keys().filter(|id| !german.contains_key(*id)).collect();
        assert!(missing.is_empty(), "missing in English: {missing:?}");
        assert!(extra.is_empty(), "only in English (German is the source): {extra:?}");
        let differing: Vec<&String> = german.iter().filter(|(id, variables)| english[*id] != **variables).map(|(id, _)| id).collect();
        assert!(differing.is_empty(), "arguments differ between German and English: {differing:?}");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_message_comes_in_the_language_asked_for_without_isolation_marks() {
        assert_eq!(crate::t!(Lang::De, "language-switch-label"), "Sprache");
        assert_eq!(crate::t!(Lang::En, "language-switch-label"), "Language");
        assert_eq!(crate::t!(Lang::En, "mail-addressed-as", salutation = "frau", name = "Erika Muster"), "Ms Erika Muster");
        assert_eq!(crate::t!(Lang::De, "mail-addressed-as", salutation = "keine", name = "Erika Muster"), "Erika Muster");
    }
}
