//! Natural order of names: runs of digits compare as numbers, so `app2` sorts before
//! `app10` and `pod-9` before `pod-10`, the order a person expects of generated names.
//!
//! Total and consistent with equality: names equal as numbers but written differently
//! (`a01`, `a1`) are ordered by the plain byte order, so distinct names never compare equal.

use std::cmp::Ordering;

/// Compares two names in natural order.
pub fn cmp(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        if x[i].is_ascii_digit() && y[j].is_ascii_digit() {
            let (si, sj) = (i, j);
            while i < x.len() && x[i].is_ascii_digit() {
                i += 1;
            }
            while j < y.len() && y[j].is_ascii_digit() {
                j += 1;
            }
            // Compare the numbers without parsing them (any length): leading zeros aside,
            // the longer run is larger, then digit by digit.
            let trim = |s: &[u8]| {
                let z = s.iter().take_while(|&&d| d == b'0').count();
                s[z.min(s.len().saturating_sub(1))..].to_vec()
            };
            let (nx, ny) = (trim(&x[si..i]), trim(&y[sj..j]));
            let order = nx.len().cmp(&ny.len()).then_with(|| nx.cmp(&ny));
            if order != Ordering::Equal {
                return order;
            }
        } else {
            if x[i] != y[j] {
                return x[i].cmp(&y[j]);
            }
            i += 1;
            j += 1;
        }
    }
    (x.len() - i).cmp(&(y.len() - j)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort_by(|a, b| cmp(a, b));
        v
    }

    #[test]
    fn numbers_compare_as_numbers() {
        assert_eq!(
            sorted(&[
                "app10", "app2", "app1", "app", "app-1", "b", "app10a", "app10-2"
            ]),
            [
                "app", "app-1", "app1", "app2", "app10", "app10-2", "app10a", "b"
            ]
        );
        assert_eq!(
            sorted(&["pod-10", "pod-9", "pod-100"]),
            ["pod-9", "pod-10", "pod-100"]
        );
        // Longer than any integer type.
        assert_eq!(
            cmp(
                "x123456789012345678901234567890",
                "x99999999999999999999999999999"
            ),
            Ordering::Greater
        );
    }

    #[test]
    fn total_and_consistent_with_equality() {
        assert_eq!(cmp("a1", "a1"), Ordering::Equal);
        assert_ne!(cmp("a01", "a1"), Ordering::Equal);
        assert_eq!(cmp("a01", "a1"), cmp("a01", "a1"));
        assert_eq!(cmp("a01", "a1"), cmp("a1", "a01").reverse());
        assert_eq!(cmp("", "a"), Ordering::Less);
        assert_eq!(cmp("0", "00"), "0".cmp("00"));
    }
}
