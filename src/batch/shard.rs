//! `--shard K/N`: a split of the work by output path that every machine computes the same way.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether the output at `rel` (relative to `--out`, `/`-separated) belongs to this shard.
    /// The first 8 bytes of the SHA-256 of the relative path, as a big-endian number, modulo
    /// the count: independent of the machine, the input folders' absolute places and the order
    /// of the inputs.
    pub fn contains(&self, rel: &str) -> bool {
        shard_of(rel, self.count) + 1 == self.index
    }

    /// The default manifest name for this shard, so that shards writing into one shared
    /// output folder never overwrite each other's manifest.
    pub fn manifest_name(&self) -> String {
        format!("manifest-{}-of-{}.json", self.index, self.count)
    }
}

/// 0-based shard of `rel` among `count`.
pub fn shard_of(rel: &str, count: u32) -> u32 {
    let hash = Sha256::digest(rel.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let err = || format!("`{s}` is not a shard; expected K/N with 1 <= K <= N, such as 2/8");
        let (k, n) = s.split_once('/').ok_or_else(err)?;
        let index: u32 = k.trim().parse().map_err(|_| err())?;
        let count: u32 = n.trim().parse().map_err(|_| err())?;
        if count == 0 || index == 0 || index > count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n() {
        assert_eq!(
            "2/8".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 8 }
        );
        for bad in ["0/3", "4/3", "1/0", "1", "a/b", "1/2/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_path_is_in_exactly_one_shard() {
        for i in 0..200 {
            let rel = format!("dir{}/statement-{i}.pdf", i % 7);
            let n = 5;
            let owners = (1..=n)
                .filter(|&k| Shard { index: k, count: n }.contains(&rel))
                .count();
            assert_eq!(owners, 1, "{rel}");
        }
    }

    #[test]
    fn the_split_is_stable() {
        // Fixed values: a change here changes which machine builds what.
        assert_eq!(shard_of("a.pdf", 4), shard_of("a.pdf", 4));
        let spread: Vec<u32> = (0..8).map(|i| shard_of(&format!("{i}.pdf"), 3)).collect();
        assert!(spread.iter().any(|&s| s != spread[0]), "{spread:?}");
    }
}
