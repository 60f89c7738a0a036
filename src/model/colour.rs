//! Colours: parsing that accepts only colours, and a text colour that stays readable on any brand
//! colour (WCAG 2 contrast ≥ 4.5:1).
//!
//! Every colour that reaches the element's styles goes through [`Color::parse`] and is written back
//! as `#rrggbb`, so an attribute or a backend field can never smuggle other CSS into the page.
//!
//! The table of CSS's named colours is native only (the server, the tests): in the wasm, where it
//! would cost a kilobyte of brotli, the runtime has the browser write a name as `#rrggbb` before
//! it gets here (`runtime::named_colours`).

/// An opaque sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

/// The default brand colour when neither the attribute, the host's CSS nor the backend gives one:
/// a neutral, accessible slate blue.
pub const NEUTRAL_BRAND: Color = Color {
    r: 0x3d,
    g: 0x4e,
    b: 0xac,
};

impl Color {
    pub const BLACK: Color = Color { r: 0, g: 0, b: 0 };
    pub const WHITE: Color = Color {
        r: 255,
        g: 255,
        b: 255,
    };

    /// Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb()`/`rgba()` (numbers or percentages,
    /// comma or space separated), `hsl()`/`hsla()` and CSS named colours. Alpha is accepted and
    /// dropped: a call to action must be opaque. Anything else is `None`.
    pub fn parse(input: &str) -> Option<Color> {
        let text = input.trim().to_ascii_lowercase();
        if text.is_empty() || text.len() > 64 {
            return None;
        }
        if let Some(hex) = text.strip_prefix('#') {
            return parse_hex(hex);
        }
        if let Some(args) = function_args(&text, &["rgb", "rgba"]) {
            return parse_rgb(&args);
        }
        if let Some(args) = function_args(&text, &["hsl", "hsla"]) {
            return parse_hsl(&args);
        }
        #[cfg(not(target_arch = "wasm32"))]
        return named(&text);
        #[cfg(target_arch = "wasm32")]
        None
    }

    /// `#rrggbb`.
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }

    /// WCAG 2 relative luminance, 0 (black) to 1 (white).
    pub fn relative_luminance(self) -> f64 {
        fn channel(value: u8) -> f64 {
            let c = f64::from(value) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                pow_2_4((c + 0.055) / 1.055)
            }
        }
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }

    /// WCAG 2 contrast ratio between two colours, 1 to 21.
    pub fn contrast_ratio(self, other: Color) -> f64 {
        let (a, b) = (self.relative_luminance(), other.relative_luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// Black or white, whichever contrasts more with `self`. The better of the two always reaches
    /// at least 4.58:1 (the worst case is a background of luminance ≈ 0.18), so text on any brand
    /// colour meets WCAG AA for normal text.
    pub fn readable_text(self) -> Color {
        if self.contrast_ratio(Color::WHITE) >= self.contrast_ratio(Color::BLACK) {
            Color::WHITE
        } else {
            Color::BLACK
        }
    }

    /// The colour mixed towards white (`amount` > 0) or black (`amount` < 0), for hover and tints.
    pub fn mix(self, amount: f64) -> Color {
        let amount = amount.clamp(-1.0, 1.0);
        let towards = |c: u8| -> u8 {
            let c = f64::from(c);
            let target = if amount >= 0.0 { 255.0 } else { 0.0 };
            (c + (target - c) * amount.abs()).round() as u8
        };
        Color {
            r: towards(self.r),
            g: towards(self.g),
            b: towards(self.b),
        }
    }
}

/// `x^2.4` for `x` in 0–1, from square roots (a single wasm instruction) instead of `powf`,
/// whose general algorithm is 2 KB of code in the element: `x^2.4 = x² · x^0.4`, and `x^0.4`
/// is the product of `x^(1/2^k)` over the bits `k` of 0.4 in binary (0.0110 0110 …), here to
/// 28 bits, which is within 1e-8 of `powf`.
fn pow_2_4(x: f64) -> f64 {
    const TWO_FIFTHS_BITS: u32 = 0b0110_0110_0110_0110_0110_0110_0110;
    let mut root = x;
    let mut power = 1.0;
    for k in (0..28).rev() {
        root = root.sqrt();
        if TWO_FIFTHS_BITS >> k & 1 == 1 {
            power *= root;
        }
    }
    x * x * power
}

fn parse_hex(hex: &str) -> Option<Color> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    // `get`, not indexing: a slice that can panic links the panic's message formatting.
    let digits = |i: usize, n: usize| u8::from_str_radix(hex.get(i..i + n)?, 16).ok();
    let nibble = |i: usize| digits(i, 1).map(|v| v * 17);
    let byte = |i: usize| digits(i, 2);
    match hex.len() {
        3 | 4 => Some(Color {
            r: nibble(0)?,
            g: nibble(1)?,
            b: nibble(2)?,
        }),
        6 | 8 => Some(Color {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
        }),
        _ => None,
    }
}

/// The arguments of `name(...)` for one of `names`, split on commas, spaces and the alpha slash.
fn function_args(text: &str, names: &[&str]) -> Option<Vec<String>> {
    let (name, inner) = text.split_once('(')?;
    let inner = inner.strip_suffix(')')?;
    if !names.contains(&name.trim()) {
        return None;
    }
    if inner.contains(['(', ')', ';', '{', '}', '"', '\'', '\\']) {
        return None;
    }
    let args: Vec<String> = inner
        .split([',', ' ', '/'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect();
    (3..=4).contains(&args.len()).then_some(args)
}

/// A CSS `<number>`: `[+-]? (\d+ | \d*\.\d+) ([eE][+-]?\d+)?`. Read digit by digit: a colour
/// needs a few digits of precision, and Rust's exact float parser would bring about 15 KB of
/// tables and code into the element.
fn number(text: &str) -> Option<f64> {
    let (sign, unsigned) = match (text.strip_prefix('-'), text.strip_prefix('+')) {
        (Some(rest), _) => (-1.0, rest),
        (_, Some(rest)) => (1.0, rest),
        _ => (1.0, text),
    };
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i32>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = || whole.bytes().chain(fraction.bytes());
    if mantissa.ends_with('.') || mantissa.is_empty() || !digits().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = digits().fold(0.0, |value, digit| value * 10.0 + f64::from(digit - b'0'));
    let scale = exponent.checked_sub(i32::try_from(fraction.len()).ok()?)?;
    let value = sign * value * 10f64.powi(scale);
    value.is_finite().then_some(value)
}

/// A channel as a number 0–255 or a percentage.
fn rgb_channel(text: &str) -> Option<u8> {
    let value = match text.strip_suffix('%') {
        Some(percent) => number(percent)? * 2.55,
        None => number(text)?,
    };
    Some(value.clamp(0.0, 255.0).round() as u8)
}

fn valid_alpha(args: &[String]) -> bool {
    args.get(3).is_none_or(|alpha| {
        let alpha = alpha.strip_suffix('%').unwrap_or(alpha);
        number(alpha).is_some()
    })
}

fn parse_rgb(args: &[String]) -> Option<Color> {
    if !valid_alpha(args) {
        return None;
    }
    Some(Color {
        r: rgb_channel(&args[0])?,
        g: rgb_channel(&args[1])?,
        b: rgb_channel(&args[2])?,
    })
}

/// `x` modulo 1, in `[0, 1)` for finite `x`. `rem_euclid` would do, but on wasm it links libm's
/// `fmod` and 128-bit division (2.3 KB of the element), where `floor` is one instruction.
fn fraction(x: f64) -> f64 {
    let wrapped = x - x.floor();
    if wrapped >= 1.0 { 0.0 } else { wrapped }
}

fn parse_hsl(args: &[String]) -> Option<Color> {
    if !valid_alpha(args) {
        return None;
    }
    let hue = args[0].strip_suffix("deg").unwrap_or(&args[0]);
    let h = fraction(number(hue)? / 360.0);
    let s = (number(args[1].strip_suffix('%')?)? / 100.0).clamp(0.0, 1.0);
    let l = (number(args[2].strip_suffix('%')?)? / 100.0).clamp(0.0, 1.0);
    let q = if l < 0.5 {
        l * (1.0 + s)
    } else {
        l + s - l * s
    };
    let p = 2.0 * l - q;
    let hue_to_rgb = |t: f64| -> u8 {
        let t = fraction(t);
        let v = if t < 1.0 / 6.0 {
            p + (q - p) * 6.0 * t
        } else if t < 0.5 {
            q
        } else if t < 2.0 / 3.0 {
            p + (q - p) * (2.0 / 3.0 - t) * 6.0
        } else {
            p
        };
        (v * 255.0).round().clamp(0.0, 255.0) as u8
    };
    Some(Color {
        r: hue_to_rgb(h + 1.0 / 3.0),
        g: hue_to_rgb(h),
        b: hue_to_rgb(h - 1.0 / 3.0),
    })
}

/// CSS named colours (CSS Color 4), as 0xRRGGBB.
#[cfg(not(target_arch = "wasm32"))]
const NAMED: &[(&str, u32)] = &[
    ("aliceblue", 0xf0f8ff),
    ("antiquewhite", 0xfaebd7),
    ("aqua", 0x00ffff),
    ("aquamarine", 0x7fffd4),
    ("azure", 0xf0ffff),
    ("beige", 0xf5f5dc),
    ("bisque", 0xffe4c4),
    ("black", 0x000000),
    ("blanchedalmond", 0xffebcd),
    ("blue", 0x0000ff),
    ("blueviolet", 0x8a2be2),
    ("brown", 0xa52a2a),
    ("burlywood", 0xdeb887),
    ("cadetblue", 0x5f9ea0),
    ("chartreuse", 0x7fff00),
    ("chocolate", 0xd2691e),
    ("coral", 0xff7f50),
    ("cornflowerblue", 0x6495ed),
    ("cornsilk", 0xfff8dc),
    ("crimson", 0xdc143c),
    ("cyan", 0x00ffff),
    ("darkblue", 0x00008b),
    ("darkcyan", 0x008b8b),
    ("darkgoldenrod", 0xb8860b),
    ("darkgray", 0xa9a9a9),
    ("darkgreen", 0x006400),
    ("darkgrey", 0xa9a9a9),
    ("darkkhaki", 0xbdb76b),
    ("darkmagenta", 0x8b008b),
    ("darkolivegreen", 0x556b2f),
    ("darkorange", 0xff8c00),
    ("darkorchid", 0x9932cc),
    ("darkred", 0x8b0000),
    ("darksalmon", 0xe9967a),
    ("darkseagreen", 0x8fbc8f),
    ("darkslateblue", 0x483d8b),
    ("darkslategray", 0x2f4f4f),
    ("darkslategrey", 0x2f4f4f),
    ("darkturquoise", 0x00ced1),
    ("darkviolet", 0x9400d3),
    ("deeppink", 0xff1493),
    ("deepskyblue", 0x00bfff),
    ("dimgray", 0x696969),
    ("dimgrey", 0x696969),
    ("dodgerblue", 0x1e90ff),
    ("firebrick", 0xb22222),
    ("floralwhite", 0xfffaf0),
    ("forestgreen", 0x228b22),
    ("fuchsia", 0xff00ff),
    ("gainsboro", 0xdcdcdc),
    ("ghostwhite", 0xf8f8ff),
    ("gold", 0xffd700),
    ("goldenrod", 0xdaa520),
    ("gray", 0x808080),
    ("green", 0x008000),
    ("greenyellow", 0xadff2f),
    ("grey", 0x808080),
    ("honeydew", 0xf0fff0),
    ("hotpink", 0xff69b4),
    ("indianred", 0xcd5c5c),
    ("indigo", 0x4b0082),
    ("ivory", 0xfffff0),
    ("khaki", 0xf0e68c),
    ("lavender", 0xe6e6fa),
    ("lavenderblush", 0xfff0f5),
    ("lawngreen", 0x7cfc00),
    ("lemonchiffon", 0xfffacd),
    ("lightblue", 0xadd8e6),
    ("lightcoral", 0xf08080),
    ("lightcyan", 0xe0ffff),
    ("lightgoldenrodyellow", 0xfafad2),
    ("lightgray", 0xd3d3d3),
    ("lightgreen", 0x90ee90),
    ("lightgrey", 0xd3d3d3),
    ("lightpink", 0xffb6c1),
    ("lightsalmon", 0xffa07a),
    ("lightseagreen", 0x20b2aa),
    ("lightskyblue", 0x87cefa),
    ("lightslategray", 0x778899),
    ("lightslategrey", 0x778899),
    ("lightsteelblue", 0xb0c4de),
    ("lightyellow", 0xffffe0),
    ("lime", 0x00ff00),
    ("limegreen", 0x32cd32),
    ("linen", 0xfaf0e6),
    ("magenta", 0xff00ff),
    ("maroon", 0x800000),
    ("mediumaquamarine", 0x66cdaa),
    ("mediumblue", 0x0000cd),
    ("mediumorchid", 0xba55d3),
    ("mediumpurple", 0x9370db),
    ("mediumseagreen", 0x3cb371),
    ("mediumslateblue", 0x7b68ee),
    ("mediumspringgreen", 0x00fa9a),
    ("mediumturquoise", 0x48d1cc),
    ("mediumvioletred", 0xc71585),
    ("midnightblue", 0x191970),
    ("mintcream", 0xf5fffa),
    ("mistyrose", 0xffe4e1),
    ("moccasin", 0xffe4b5),
    ("navajowhite", 0xffdead),
    ("navy", 0x000080),
    ("oldlace", 0xfdf5e6),
    ("olive", 0x808000),
    ("olivedrab", 0x6b8e23),
    ("orange", 0xffa500),
    ("orangered", 0xff4500),
    ("orchid", 0xda70d6),
    ("palegoldenrod", 0xeee8aa),
    ("palegreen", 0x98fb98),
    ("paleturquoise", 0xafeeee),
    ("palevioletred", 0xdb7093),
    ("papayawhip", 0xffefd5),
    ("peachpuff", 0xffdab9),
    ("peru", 0xcd853f),
    ("pink", 0xffc0cb),
    ("plum", 0xdda0dd),
    ("powderblue", 0xb0e0e6),
    ("purple", 0x800080),
    ("rebeccapurple", 0x663399),
    ("red", 0xff0000),
    ("rosybrown", 0xbc8f8f),
    ("royalblue", 0x4169e1),
    ("saddlebrown", 0x8b4513),
    ("salmon", 0xfa8072),
    ("sandybrown", 0xf4a460),
    ("seagreen", 0x2e8b57),
    ("seashell", 0xfff5ee),
    ("sienna", 0xa0522d),
    ("silver", 0xc0c0c0),
    ("skyblue", 0x87ceeb),
    ("slateblue", 0x6a5acd),
    ("slategray", 0x708090),
    ("slategrey", 0x708090),
    ("snow", 0xfffafa),
    ("springgreen", 0x00ff7f),
    ("steelblue", 0x4682b4),
    ("tan", 0xd2b48c),
    ("teal", 0x008080),
    ("thistle", 0xd8bfd8),
    ("tomato", 0xff6347),
    ("turquoise", 0x40e0d0),
    ("violet", 0xee82ee),
    ("wheat", 0xf5deb3),
    ("white", 0xffffff),
    ("whitesmoke", 0xf5f5f5),
    ("yellow", 0xffff00),
    ("yellowgreen", 0x9acd32),
];

#[cfg(not(target_arch = "wasm32"))]
fn named(text: &str) -> Option<Color> {
    NAMED
        .iter()
        .find(|(name, _)| *name == text)
        .map(|&(_, rgb)| Color {
            r: (rgb >> 16) as u8,
            g: (rgb >> 8) as u8,
            b: rgb as u8,
        })
}

/// The first of `candidates` that parses as a colour.
pub fn first_color<'a>(candidates: impl IntoIterator<Item = Option<&'a str>>) -> Option<Color> {
    candidates.into_iter().flatten().find_map(Color::parse)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn the_square_root_power_is_powf_for_every_channel() {
        for value in 0..=255u8 {
            let x = (f64::from(value) / 255.0 + 0.055) / 1.055;
            let (ours, exact) = (pow_2_4(x), x.powf(2.4));
            assert!((ours - exact).abs() < 1e-8, "{value}: {ours} vs {exact}");
        }
    }

    #[test]
    fn css_numbers() {
        for (text, expected) in [
            ("255", 255.0),
            ("+12.5", 12.5),
            ("-0.5", -0.5),
            (".5", 0.5),
            ("1e2", 100.0),
            ("2.5E-1", 0.25),
            ("0", 0.0),
        ] {
            let parsed = number(text).unwrap_or_else(|| panic!("{text}"));
            assert!((parsed - expected).abs() < 1e-9, "{text}: {parsed}");
        }
        for bad in [
            "",
            "-",
            "5.",
            ".",
            "1e",
            "e3",
            "1.2.3",
            "12px",
            "0x10",
            "1e99999",
            "9".repeat(400).as_str(),
            "nan",
            "inf",
        ] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }
    use proptest::prelude::*;

    #[test]
    fn parses_css_colour_forms() {
        let blue = Color {
            r: 0x0a,
            g: 0x7c,
            b: 0xff,
        };
        assert_eq!(Color::parse("#0a7cff"), Some(blue));
        assert_eq!(Color::parse("  #0A7CFF "), Some(blue));
        assert_eq!(Color::parse("#0a7cff80"), Some(blue));
        assert_eq!(Color::parse("#fff"), Some(Color::WHITE));
        assert_eq!(Color::parse("#000f"), Some(Color::BLACK));
        assert_eq!(Color::parse("rgb(10, 124, 255)"), Some(blue));
        assert_eq!(Color::parse("rgba(10,124,255,0.5)"), Some(blue));
        assert_eq!(Color::parse("rgb(10 124 255 / 50%)"), Some(blue));
        assert_eq!(
            Color::parse("rgb(100%, 0%, 0%)"),
            Some(Color { r: 255, g: 0, b: 0 })
        );
        assert_eq!(
            Color::parse("hsl(0, 100%, 50%)"),
            Some(Color { r: 255, g: 0, b: 0 })
        );
        assert_eq!(
            Color::parse("hsl(120deg 100% 25%)"),
            Some(Color { r: 0, g: 128, b: 0 })
        );
        assert_eq!(
            Color::parse("RebeccaPurple"),
            Some(Color {
                r: 0x66,
                g: 0x33,
                b: 0x99
            })
        );
    }

    #[test]
    fn rejects_anything_but_a_colour() {
        for bad in [
            "",
            "#",
            "#12",
            "#12345",
            "#1234567",
            "#ggg",
            "blue; background: url(x)",
            "red}body{color:red",
            "url(javascript:alert(1))",
            "expression(alert(1))",
            "var(--x)",
            "rgb(1,2)",
            "rgb(1,2,3,4,5)",
            "rgb(a,b,c)",
            "rgb(1,2,3",
            "hsl(1, 2, 3)",
            "notacolor",
            "currentcolor",
            "inherit",
            "rgb(1,2,3);x:y",
            "<script>",
            "\"red\"",
            "#fff\\",
            "rgb(NaN, 1, 2)",
            "rgb(inf, 1, 2)",
        ] {
            assert_eq!(Color::parse(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn hex_output_is_canonical() {
        assert_eq!(Color::parse("#ABC").unwrap().to_hex(), "#aabbcc");
        assert_eq!(Color::parse("navy").unwrap().to_hex(), "#000080");
    }

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((Color::BLACK.contrast_ratio(Color::WHITE) - 21.0).abs() < 1e-9);
        assert!((Color::WHITE.contrast_ratio(Color::WHITE) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1.
        let grey = Color::parse("#767676").unwrap();
        assert!((grey.contrast_ratio(Color::WHITE) - 4.54).abs() < 0.01);
    }

    #[test]
    fn readable_text_picks_the_obvious_side() {
        // White on #0a7cff is only 3.9:1; black reaches 5.4:1.
        assert_eq!(
            Color::parse("#0a7cff").unwrap().readable_text(),
            Color::BLACK
        );
        assert_eq!(Color::parse("navy").unwrap().readable_text(), Color::WHITE);
        assert_eq!(
            Color::parse("yellow").unwrap().readable_text(),
            Color::BLACK
        );
        assert_eq!(
            Color::parse("#ffd700").unwrap().readable_text(),
            Color::BLACK
        );
        assert_eq!(NEUTRAL_BRAND.readable_text(), Color::WHITE);
    }

    #[test]
    fn first_color_skips_invalid_candidates() {
        assert_eq!(
            first_color([Some("javascript:x"), None, Some("#fff")]),
            Some(Color::WHITE)
        );
        assert_eq!(first_color([None, Some("nope")]), None);
    }

    proptest! {
        #[test]
        fn readable_text_always_meets_aa(r in any::<u8>(), g in any::<u8>(), b in any::<u8>()) {
            let background = Color { r, g, b };
            prop_assert!(background.contrast_ratio(background.readable_text()) >= 4.5);
        }

        #[test]
        fn hex_round_trips(r in any::<u8>(), g in any::<u8>(), b in any::<u8>()) {
            let color = Color { r, g, b };
            prop_assert_eq!(Color::parse(&color.to_hex()), Some(color));
        }

        #[test]
        fn parse_never_panics(input in ".{0,80}") {
            let _ = Color::parse(&input);
        }
    }
}
