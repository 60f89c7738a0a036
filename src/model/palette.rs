//! The palette the tile paints with: the first valid brand and accent colours of their candidate
//! lists, and the private custom properties derived from them (hover shade, readable text).

use super::colour::{Color, NEUTRAL_BRAND, first_color};

/// The colours the tile's styles use, resolved once per render from attribute, host CSS and
/// backend branding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    pub brand: Color,
    pub accent: Color,
}

impl Palette {
    /// The first valid colour of each candidate list; the accent falls back to the brand colour,
    /// the brand colour to [`NEUTRAL_BRAND`].
    pub fn resolve<'a>(
        brand: impl IntoIterator<Item = Option<&'a str>>,
        accent: impl IntoIterator<Item = Option<&'a str>>,
    ) -> Palette {
        let brand = first_color(brand).unwrap_or(NEUTRAL_BRAND);
        Palette {
            brand,
            accent: first_color(accent).unwrap_or(brand),
        }
    }

    /// Private custom properties for the `tile` node, as declarations. Only canonical `#rrggbb`
    /// values are written, so nothing but a colour can reach the node's style. The runtime sets
    /// them through the CSSOM (`style.cssText`), which no Content-Security-Policy refuses, never
    /// as a `style` attribute (`style-src` without `'unsafe-inline'` refuses those).
    pub fn css_vars(&self) -> String {
        let hover = self.brand.mix(if self.brand.relative_luminance() > 0.3 {
            -0.12
        } else {
            0.14
        });
        format!(
            "--_brand:{};--_on-brand:{};--_brand-hover:{};--_on-brand-hover:{};--_accent:{};--_on-accent:{}",
            self.brand.to_hex(),
            self.brand.readable_text().to_hex(),
            hover.to_hex(),
            hover.readable_text().to_hex(),
            self.accent.to_hex(),
            self.accent.readable_text().to_hex(),
        )
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_first_valid_candidate() {
        let palette = Palette::resolve(
            [Some("not a colour"), Some("#0a7cff"), Some("#ff0000")],
            [None, None],
        );
        assert_eq!(palette.brand.to_hex(), "#0a7cff");
        assert_eq!(palette.accent, palette.brand, "accent falls back to brand");
        let neutral = Palette::resolve([None, Some("red;}")], [Some("#1a1a1a")]);
        assert_eq!(neutral.brand, NEUTRAL_BRAND);
        assert_eq!(neutral.accent.to_hex(), "#1a1a1a");
    }

    #[test]
    fn css_vars_hold_only_hex_colours() {
        let vars = Palette::resolve([Some("yellow")], [Some("navy")]).css_vars();
        assert!(
            vars.starts_with("--_brand:#ffff00;--_on-brand:#000000;"),
            "{vars}"
        );
        assert!(
            vars.contains("--_accent:#000080;--_on-accent:#ffffff"),
            "{vars}"
        );
        for declaration in vars.split(';') {
            let (_, value) = declaration.split_once(':').unwrap();
            assert!(value.len() == 7 && value.starts_with('#'), "{declaration}");
        }
    }

    #[test]
    fn hover_colour_keeps_readable_text() {
        for brand in ["#0a7cff", "#ffd700", "#1a1a1a", "#ffffff", "#767676"] {
            let vars = Palette::resolve([Some(brand)], [None]).css_vars();
            let get = |name: &str| {
                let start = vars.find(&format!("{name}:")).unwrap() + name.len() + 1;
                Color::parse(&vars[start..start + 7]).unwrap()
            };
            assert!(
                get("--_brand-hover").contrast_ratio(get("--_on-brand-hover")) >= 4.5,
                "{brand}"
            );
        }
    }
}
