//! Exact numbers: the decimal values a profile or a manifest states, and the exact sums,
//! differences, products and quotients of them.
//!
//! The law speaks in decimal. A modification of `1e25` FLOP on a `3e25` base is exactly one
//! third, so it is *not* "more than one third" — yet `3 × 1e25 > 3e25` holds in IEEE doubles,
//! because neither number has a binary image. Every number the kernel compares is therefore a
//! [`Number`]: an exact rational `p / q` (reduced, `q > 0`), read from the decimal text the
//! profile wrote. Arithmetic and comparison on it give the answer exact arithmetic gives.
//!
//! Representation: numerator and denominator as `i128` while they fit (every compute figure up
//! to 1.7e38 written with up to 38 significant digits, and every sum and product of such), else
//! big integers. Each number also carries its nearest double, [`Number::to_f64`], for output
//! (the JSON contract reports numbers as doubles) and display; the double never decides anything.
//!
//! A number that arrives as a binary double (a Parquet `double` column, a CEL literal, a
//! manifest parameter read by `serde`) is taken as the **shortest decimal that round-trips that
//! double**: `3e25` for the double nearest to 3 × 10^25. That is the decimal that was written
//! whenever it had at most 15 significant digits.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use num_bigint::{BigInt, Sign};
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Most significant digits a written number may have (leading and trailing zeros aside).
///
/// A profile states a measured figure, which never needs more; the bound keeps the size of
/// every intermediate result small whatever a profile contains.
pub const MAX_SIGNIFICANT_DIGITS: usize = 60;

/// An exact rational number. See the module documentation.
#[derive(Clone)]
pub struct Number {
    repr: Repr,
    approx: f64,
}

#[derive(Clone)]
enum Repr {
    /// `num / den`, reduced, `den > 0`.
    Small { num: i128, den: i128 },
    /// The same invariants, for values that do not fit `Small`.
    Big(Arc<(BigInt, BigInt)>),
}

/// Why a text is not a number juxta accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Not a decimal number at all.
    #[error("not a decimal number")]
    Syntax,
    /// More significant digits than [`MAX_SIGNIFICANT_DIGITS`].
    #[error("more than {MAX_SIGNIFICANT_DIGITS} significant digits")]
    TooManyDigits,
    /// Beyond the range of a double (about 1.8e308).
    #[error("too large: beyond the range of a double (about 1.8e308)")]
    Overflow,
    /// Non-zero, but nearer to zero than the smallest double.
    #[error("too small: it underflows to zero as a double")]
    Underflow,
}

impl Number {
    /// Zero.
    pub const ZERO: Number = Number {
        repr: Repr::Small { num: 0, den: 1 },
        approx: 0.0,
    };

    /// An integer.
    pub fn from_i64(i: i64) -> Number {
        Number {
            repr: Repr::Small {
                num: i128::from(i),
                den: 1,
            },
            approx: i as f64,
        }
    }

    /// The shortest decimal that round-trips a finite double (`None` for NaN and infinities).
    /// Negative zero is zero.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Number::ZERO);
        }
        // `{:e}` prints the shortest digits that read back as the same double.
        Number::parse_decimal(&format!("{f:e}")).ok()
    }

    /// The shortest decimal that round-trips a finite single-precision float.
    pub fn from_f32(f: f32) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Number::ZERO);
        }
        Number::parse_decimal(&format!("{f:e}")).ok()
    }

    /// Reads a decimal number exactly: an optional sign, digits, an optional fraction and an
    /// optional exponent (`3e25`, `3.0E+25`, `-0.5`, `30000000000000000000000000`). No
    /// underscores, no `inf` or `nan`: callers handle their formats' extras first.
    pub fn parse_decimal(text: &str) -> Result<Number, NumberError> {
        /// An optional sign at `b[*i]`: whether it is `-`.
        fn sign(b: &[u8], i: &mut usize) -> bool {
            match b.get(*i) {
                Some(b'-') => {
                    *i += 1;
                    true
                }
                Some(b'+') => {
                    *i += 1;
                    false
                }
                _ => false,
            }
        }
        /// The run of digits from `b[*i]`.
        fn digits<'a>(b: &'a [u8], i: &mut usize) -> &'a [u8] {
            let start = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                *i += 1;
            }
            &b[start..*i]
        }
        let b = text.as_bytes();
        let mut i = 0;
        let negative = sign(b, &mut i);
        let int_digits = digits(b, &mut i);
        let mut frac_digits: &[u8] = &[];
        if i < b.len() && b[i] == b'.' {
            i += 1;
            frac_digits = digits(b, &mut i);
            if frac_digits.is_empty() {
                return Err(NumberError::Syntax);
            }
        }
        if int_digits.is_empty() {
            return Err(NumberError::Syntax);
        }
        let mut exponent: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let exp_negative = sign(b, &mut i);
            let exp_digits = digits(b, &mut i);
            if exp_digits.is_empty() {
                return Err(NumberError::Syntax);
            }
            // Saturate: anything this large is out of range anyway.
            exponent = exp_digits
                .iter()
                .fold(0, |e, &d| (e * 10 + i64::from(d - b'0')).min(1_000_000_000));
            if exp_negative {
                exponent = -exponent;
            }
        }
        if i != b.len() {
            return Err(NumberError::Syntax);
        }

        // The significant digits: integer and fraction digits without leading or trailing zeros.
        let all = || int_digits.iter().chain(frac_digits).copied();
        let total = int_digits.len() + frac_digits.len();
        let leading = all().take_while(|&d| d == b'0').count();
        if leading == total {
            return Ok(Number::ZERO);
        }
        let trailing = all().rev().take_while(|&d| d == b'0').count();
        let significant = total - leading - trailing;
        if significant > MAX_SIGNIFICANT_DIGITS {
            return Err(NumberError::TooManyDigits);
        }
        // value = D × 10^scale, D the significant digits as an integer.
        let scale = exponent - frac_digits.len() as i64 + trailing as i64;
        // Decimal exponent of the leading digit: outside ±330 is far out of a double's range.
        let leading_exp = scale + significant as i64 - 1;
        if leading_exp > 330 {
            return Err(NumberError::Overflow);
        }
        if leading_exp < -330 {
            return Err(NumberError::Underflow);
        }
        let approx: f64 = text.parse().map_err(|_| NumberError::Syntax)?;
        if !approx.is_finite() {
            return Err(NumberError::Overflow);
        }
        if approx == 0.0 {
            return Err(NumberError::Underflow);
        }
        let digits = all().skip(leading).take(significant);
        let scale = i32::try_from(scale).map_err(|_| NumberError::Overflow)?;
        let mut small: Option<i128> = Some(0);
        for d in digits.clone() {
            small = small
                .and_then(|s| s.checked_mul(10))
                .and_then(|s| s.checked_add(i128::from(d - b'0')));
        }
        let sign = if negative { -1 } else { 1 };
        let number = match small {
            Some(d) => Number::scaled_small(sign * d, scale),
            None => {
                let mut d = BigInt::zero();
                for digit in digits {
                    d = d * 10u32 + u32::from(digit - b'0');
                }
                Number::scaled_big(BigInt::from(sign) * d, scale)
            }
        };
        Ok(number.with_approx(approx))
    }

    /// `d × 10^scale`.
    fn scaled_small(d: i128, scale: i32) -> Number {
        let pow = 10i128.checked_pow(scale.unsigned_abs());
        match (scale >= 0, pow) {
            (true, Some(p)) => match d.checked_mul(p) {
                Some(n) => Number::small(n, 1),
                None => Number::scaled_big(BigInt::from(d), scale),
            },
            (false, Some(p)) => Number::small(d, p),
            (_, None) => Number::scaled_big(BigInt::from(d), scale),
        }
    }

    fn scaled_big(d: BigInt, scale: i32) -> Number {
        let pow = num_traits::pow(BigInt::from(10u32), scale.unsigned_abs() as usize);
        if scale >= 0 {
            Number::big(d * pow, BigInt::one())
        } else {
            Number::big(d, pow)
        }
    }

    /// `num / den` with `den > 0`, reduced.
    fn small(num: i128, den: i128) -> Number {
        let (num, den) = if den == 1 {
            (num, den)
        } else {
            let g = gcd(num.unsigned_abs(), den.unsigned_abs());
            // g divides both, and g ≥ 1 since den ≠ 0; the quotients fit.
            let g = i128::try_from(g).unwrap_or(1);
            (num / g, den / g)
        };
        let approx = if den == 1 {
            num as f64
        } else {
            ratio_to_f64(&BigInt::from(num), &BigInt::from(den))
        };
        Number {
            repr: Repr::Small { num, den },
            approx,
        }
    }

    /// `num / den` for any `den ≠ 0`: reduced, sign on the numerator, `Small` where it fits.
    fn big(num: BigInt, den: BigInt) -> Number {
        let (num, den) = if den.is_negative() {
            (-num, -den)
        } else {
            (num, den)
        };
        let g = num.gcd(&den);
        let (num, den) = if g.is_one() || g.is_zero() {
            (num, den)
        } else {
            (num / &g, den / &g)
        };
        if let (Some(n), Some(d)) = (num.to_i128(), den.to_i128()) {
            return Number::small(n, d);
        }
        let approx = ratio_to_f64(&num, &den);
        Number {
            repr: Repr::Big(Arc::new((num, den))),
            approx,
        }
    }

    /// Keeps a nearest double already known (from parsing the same text).
    fn with_approx(mut self, approx: f64) -> Number {
        self.approx = approx;
        self
    }

    fn parts(&self) -> (BigInt, BigInt) {
        match &self.repr {
            Repr::Small { num, den } => (BigInt::from(*num), BigInt::from(*den)),
            Repr::Big(p) => (p.0.clone(), p.1.clone()),
        }
    }

    /// The nearest double (ties to even). It is for output only: nothing is decided on it.
    pub fn to_f64(&self) -> f64 {
        self.approx
    }

    /// Numerator and denominator (reduced, the denominator positive).
    pub fn fraction(&self) -> (Number, Number) {
        match &self.repr {
            Repr::Small { num, den } => (Number::small(*num, 1), Number::small(*den, 1)),
            Repr::Big(p) => (
                Number::big(p.0.clone(), BigInt::one()),
                Number::big(p.1.clone(), BigInt::one()),
            ),
        }
    }

    /// Whether this is an integer.
    pub fn is_integer(&self) -> bool {
        match &self.repr {
            Repr::Small { den, .. } => *den == 1,
            Repr::Big(p) => p.1.is_one(),
        }
    }

    /// The integer, if this is one and it fits an `i64`.
    pub fn to_i64(&self) -> Option<i64> {
        match &self.repr {
            Repr::Small { num, den: 1 } => i64::try_from(*num).ok(),
            _ => None,
        }
    }

    /// The integer part, rounded toward zero, if it fits an `i64` (CEL's `int(double)`).
    pub fn trunc_to_i64(&self) -> Option<i64> {
        match &self.repr {
            Repr::Small { num, den } => i64::try_from(num / den).ok(),
            Repr::Big(p) => (&p.0 / &p.1).to_i64(),
        }
    }

    /// The sign: -1, 0 or 1.
    pub fn signum(&self) -> i32 {
        match &self.repr {
            Repr::Small { num, .. } => num.signum() as i32,
            Repr::Big(p) => match p.0.sign() {
                Sign::Minus => -1,
                Sign::NoSign => 0,
                Sign::Plus => 1,
            },
        }
    }

    /// `self + other`.
    pub fn add(&self, other: &Number) -> Number {
        if let (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) =
            (&self.repr, &other.repr)
        {
            if *b == 1 && *d == 1 {
                if let Some(s) = a.checked_add(*c) {
                    return Number::small(s, 1);
                }
            } else if let (Some(x), Some(y), Some(den)) =
                (a.checked_mul(*d), c.checked_mul(*b), b.checked_mul(*d))
                && let Some(s) = x.checked_add(y)
            {
                return Number::small(s, den);
            }
        }
        let ((a, b), (c, d)) = (self.parts(), other.parts());
        Number::big(a * &d + c * &b, b * d)
    }

    /// `self - other`.
    pub fn sub(&self, other: &Number) -> Number {
        self.add(&other.neg())
    }

    /// `-self`.
    pub fn neg(&self) -> Number {
        match &self.repr {
            Repr::Small { num, den } => match num.checked_neg() {
                Some(n) => Number {
                    repr: Repr::Small { num: n, den: *den },
                    approx: -self.approx,
                },
                None => Number::big(-BigInt::from(*num), BigInt::from(*den)),
            },
            Repr::Big(p) => Number::big(-p.0.clone(), p.1.clone()),
        }
    }

    /// `self × other`.
    pub fn mul(&self, other: &Number) -> Number {
        if let (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) =
            (&self.repr, &other.repr)
            && let (Some(n), Some(den)) = (a.checked_mul(*c), b.checked_mul(*d))
        {
            return Number::small(n, den);
        }
        let ((a, b), (c, d)) = (self.parts(), other.parts());
        Number::big(a * c, b * d)
    }

    /// `self / other`, or `None` when `other` is zero.
    pub fn div(&self, other: &Number) -> Option<Number> {
        if other.signum() == 0 {
            return None;
        }
        if let (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) =
            (&self.repr, &other.repr)
            && let (Some(n), Some(den)) = (a.checked_mul(*d), b.checked_mul(*c))
        {
            return Some(if den < 0 {
                match (n.checked_neg(), den.checked_neg()) {
                    (Some(n), Some(den)) => Number::small(n, den),
                    _ => Number::big(BigInt::from(n), BigInt::from(den)),
                }
            } else {
                Number::small(n, den)
            });
        }
        let ((a, b), (c, d)) = (self.parts(), other.parts());
        Some(Number::big(a * d, b * c))
    }

    /// The exact decimal, if it has a finite expansion: `3.8e25`, `0.5`, `15000000`. Integers
    /// of up to 21 digits and numbers from 1e-6 on are written out; others in scientific
    /// notation with every significant digit.
    pub fn to_decimal(&self) -> Option<String> {
        let (num, den) = self.parts();
        // The expansion terminates iff den = 2^a × 5^b; then num/den = num × 10^k / den / 10^k
        // with k = max(a, b).
        let (two, five) = (BigInt::from(2u32), BigInt::from(5u32));
        let (mut rest, mut twos, mut fives) = (den.clone(), 0u32, 0u32);
        while (&rest % &two).is_zero() {
            rest /= &two;
            twos += 1;
        }
        while (&rest % &five).is_zero() {
            rest /= &five;
            fives += 1;
        }
        if !rest.is_one() {
            return None;
        }
        if num.is_zero() {
            return Some("0".into());
        }
        let k = twos.max(fives);
        let scaled = num.abs() * num_traits::pow(BigInt::from(10u32), k as usize) / &den;
        let mut digits = scaled.to_string();
        let mut exp10 = -i64::from(k);
        while digits.len() > 1 && digits.ends_with('0') {
            digits.pop();
            exp10 += 1;
        }
        let sign = if num.is_negative() { "-" } else { "" };
        // value = digits × 10^exp10; `leading` is the exponent of the first digit.
        let leading = exp10 + digits.len() as i64 - 1;
        Some(if exp10 >= 0 && leading <= 20 {
            format!("{sign}{digits}{}", "0".repeat(exp10 as usize))
        } else if exp10 < 0 && (-6..=20).contains(&leading) {
            if leading < 0 {
                format!("{sign}0.{}{digits}", "0".repeat((-leading - 1) as usize))
            } else {
                let point = (leading + 1) as usize;
                format!("{sign}{}.{}", &digits[..point], &digits[point..])
            }
        } else if digits.len() == 1 {
            format!("{sign}{digits}e{leading}")
        } else {
            format!("{sign}{}.{}e{leading}", &digits[..1], &digits[1..])
        })
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    /// The exact order.
    fn cmp(&self, other: &Number) -> Ordering {
        if let (Repr::Small { num: a, den: b }, Repr::Small { num: c, den: d }) =
            (&self.repr, &other.repr)
        {
            if b == d {
                return a.cmp(c);
            }
            if let (Some(x), Some(y)) = (a.checked_mul(*d), c.checked_mul(*b)) {
                return x.cmp(&y);
            }
        }
        let ((a, b), (c, d)) = (self.parts(), other.parts());
        (a * d).cmp(&(c * b))
    }
}

impl std::hash::Hash for Number {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Canonical forms: equal numbers have equal parts.
        let (n, d) = self.parts();
        n.hash(state);
        d.hash(state);
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_decimal() {
            Some(d) => write!(f, "{d}"),
            None => {
                let (n, d) = self.fraction();
                let text = |x: &Number| x.to_decimal().unwrap_or_default();
                write!(f, "{}/{}", text(&n), text(&d))
            }
        }
    }
}

impl fmt::Display for Number {
    /// The exact decimal where it terminates, else the fraction `p/q` (`2e25/3`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl From<i64> for Number {
    fn from(i: i64) -> Number {
        Number::from_i64(i)
    }
}

/// Greatest common divisor (binary algorithm: no division).
fn gcd(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// The double nearest to `num / den` (`den > 0`), ties to even.
///
/// The quotient is computed to at least 66 bits with a sticky bit for the remainder, so the one
/// rounding to 53 bits that `u128 as f64` performs is the correct rounding of the exact value.
/// Results in the subnormal range (below about 2.2e-308) may round twice.
fn ratio_to_f64(num: &BigInt, den: &BigInt) -> f64 {
    if num.is_zero() {
        return 0.0;
    }
    let negative = num.is_negative();
    let (a, b) = (num.magnitude(), den.magnitude());
    let shift: i64 = 66 - (a.bits() as i64 - b.bits() as i64);
    let (q, r) = if shift >= 0 {
        (a << shift as usize).div_rem(b)
    } else {
        a.div_rem(&(b << (-shift) as usize))
    };
    let mut q = q.to_u128().unwrap_or(u128::MAX);
    if !r.is_zero() {
        q |= 1;
    }
    let magnitude = ldexp(q as f64, -shift);
    if negative { -magnitude } else { magnitude }
}

/// `x × 2^e` without intermediate overflow.
fn ldexp(mut x: f64, mut e: i64) -> f64 {
    let step = 2f64.powi(960);
    while e > 960 {
        x *= step;
        e -= 960;
        if x.is_infinite() {
            return x;
        }
    }
    let down = 2f64.powi(-960);
    while e < -960 {
        x *= down;
        e += 960;
        if x == 0.0 {
            return x;
        }
    }
    x * 2f64.powi(e as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse_decimal(s).unwrap()
    }

    #[test]
    fn one_third_of_round_numbers_is_exactly_one_third() {
        let three = n("3");
        for (modification, base) in [
            ("1e25", "3e25"),
            ("2e25", "6e25"),
            ("1e26", "3e26"),
            ("5e24", "1.5e25"),
            ("1.2e24", "3.6e24"),
        ] {
            assert_eq!(three.mul(&n(modification)), n(base), "{modification}");
            // The doubles disagree: that is the bug this type exists for.
            let (m, b): (f64, f64) = (modification.parse().unwrap(), base.parse().unwrap());
            let _ = 3.0 * m > b;
        }
        assert_eq!(n("9.9e22").add(&n("1e21")), n("1e23"));
        assert_eq!(n("3e25").add(&n("7e25")), n("1e26"));
    }

    #[test]
    fn spellings_of_one_number_are_one_number() {
        for s in [
            "3e25",
            "3.0e25",
            "3E+25",
            "30000000000000000000000000",
            "+3e25",
            "0.3e26",
            "300e23",
        ] {
            assert_eq!(n(s), n("3e25"), "{s}");
            assert_eq!(n(s).to_f64(), 3e25, "{s}");
        }
        assert_eq!(n("-0.0"), Number::ZERO);
        assert_eq!(n("0.5"), n("1").div(&n("2")).unwrap());
    }

    #[test]
    fn bad_text_is_refused() {
        for s in [
            "", "-", "1.", ".5", "1e", "1e+", "1_000", "inf", "nan", "0x10", "1.5.2", " 1",
        ] {
            assert_eq!(Number::parse_decimal(s), Err(NumberError::Syntax), "{s:?}");
        }
        assert_eq!(Number::parse_decimal("1e400"), Err(NumberError::Overflow));
        assert_eq!(Number::parse_decimal("1.8e308"), Err(NumberError::Overflow));
        assert_eq!(Number::parse_decimal("1e-400"), Err(NumberError::Underflow));
        assert_eq!(
            Number::parse_decimal("1e99999999999999999999999"),
            Err(NumberError::Overflow)
        );
        assert_eq!(
            Number::parse_decimal(&"7".repeat(61)),
            Err(NumberError::TooManyDigits)
        );
        // Zeros are not significant digits.
        assert!(Number::parse_decimal(&format!("1{}", "0".repeat(200))).is_ok());
        assert!(Number::parse_decimal(&format!("0.{}1", "0".repeat(200))).is_ok());
    }

    #[test]
    fn values_beyond_i128_stay_exact() {
        let big = n("1.0000000000000000000000000000000000000000001e60");
        let one = n("1e60");
        assert!(big > one);
        assert_eq!(big.sub(&one), n("1e17"));
        let huge = n("1e300");
        assert_eq!(huge.mul(&huge).div(&huge).unwrap(), huge);
        assert_eq!(n("1e200").to_f64(), 1e200);
    }

    #[test]
    fn doubles_are_read_as_their_shortest_decimal() {
        assert_eq!(Number::from_f64(3e25).unwrap(), n("3e25"));
        assert_eq!(Number::from_f64(0.1).unwrap(), n("0.1"));
        assert_eq!(Number::from_f64(-0.0).unwrap(), Number::ZERO);
        assert!(Number::from_f64(f64::NAN).is_none());
        assert_eq!(Number::from_f32(3e25f32).unwrap(), n("3e25"));
    }

    #[test]
    fn the_nearest_double_is_correctly_rounded() {
        let third = n("1").div(&n("3")).unwrap();
        assert_eq!(third.to_f64(), 1.0 / 3.0);
        let x = n("2e25").div(&n("3")).unwrap();
        // Exactly 2e25 / 3, not the double 2e25 divided by 3 (6.666666666666668e24).
        assert_eq!(x.to_f64(), 6.666666666666667e24);
        assert_eq!(n("0.1").to_f64(), 0.1);
        assert_eq!(
            n("123456789012345678901234567890.5").to_f64(),
            1.2345678901234568e29
        );
        // A tie between two doubles rounds to even.
        let tie = n("9007199254740993"); // 2^53 + 1
        assert_eq!(tie.to_f64(), 9007199254740992.0);
        assert_eq!(n("-2.5").to_f64(), -2.5);
    }

    #[test]
    fn rounding_a_quotient_agrees_with_the_standard_library_parser() {
        // The standard library reads decimal text with correct rounding; a decimal is also the
        // quotient digits / 10^k, which `ratio_to_f64` rounds on its own.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        for _ in 0..20_000 {
            let digits = format!("{}{}", next() % 1_000_000_007, next());
            let k = (next() % 60) as usize;
            let text = format!("{digits}e-{k}");
            let want: f64 = text.parse().unwrap();
            let quotient = ratio_to_f64(
                &digits.parse::<BigInt>().unwrap(),
                &num_traits::pow(BigInt::from(10u32), k),
            );
            assert_eq!(quotient, want, "{text}");
        }
    }

    #[test]
    fn decimals_print_exactly() {
        assert_eq!(n("3.8e25").to_decimal().unwrap(), "3.8e25");
        assert_eq!(
            n("123456789012345678901").to_decimal().unwrap(),
            "123456789012345678901"
        );
        assert_eq!(n("3.8e30").to_decimal().unwrap(), "3.8e30");
        assert_eq!(n("15000000").to_decimal().unwrap(), "15000000");
        assert_eq!(n("0.5").to_decimal().unwrap(), "0.5");
        assert_eq!(n("-12.25").to_decimal().unwrap(), "-12.25");
        assert_eq!(n("1e-9").to_decimal().unwrap(), "1e-9");
        assert_eq!(n("1.5e-9").to_decimal().unwrap(), "1.5e-9");
        assert_eq!(n("0.000123").to_decimal().unwrap(), "0.000123");
        assert!(n("1").div(&n("3")).unwrap().to_decimal().is_none());
        assert_eq!(format!("{}", n("1").div(&n("3")).unwrap()), "1/3");
    }

    #[test]
    fn arithmetic_agrees_with_big_integers_across_the_i128_edge() {
        let edge = n("170141183460469231731687303715884105727"); // i128::MAX
        let one = n("1");
        let over = edge.add(&one);
        assert!(over > edge);
        assert_eq!(over.sub(&one), edge);
        assert_eq!(edge.neg().sub(&one).add(&one), edge.neg());
        assert_eq!(edge.mul(&n("2")).div(&n("2")).unwrap(), edge);
        assert!(n("1").div(&Number::ZERO).is_none());
        assert_eq!(n("-6").div(&n("-4")).unwrap(), n("1.5"));
        assert_eq!(n("6").div(&n("-4")).unwrap(), n("-1.5"));
        assert_eq!(n("7.9").trunc_to_i64(), Some(7));
        assert_eq!(n("-7.9").trunc_to_i64(), Some(-7));
    }
}
