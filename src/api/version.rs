//! Compute API microversions (`OpenStack-API-Version: compute 2.N`).

use core::fmt;
use core::str::FromStr;

use super::fault::{Fault, FaultKind};
use crate::error::Error;

/// A compute API microversion, `2.N` with `N >= 1` (the `/v2.1` API; the legacy `/v2` API,
/// "2.0", is not offered).
///
/// What changes `POST /os-keypairs`: 2.2 (`type`, status 201), 2.10 (`user_id` in the request),
/// 2.92 (`public_key` required, `@` and `.` in names, no generation). No later microversion
/// changes it: from 2.92 to [`Microversion::LATEST`] (2.104) key pairs behave as at 2.92.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Microversion {
    minor: u32,
}

impl Microversion {
    /// 2.1, the default when a request names no microversion.
    pub const V2_1: Self = Self { minor: 1 };
    /// 2.2: `type` in request and response; create answers 201 instead of 200.
    pub const V2_2: Self = Self { minor: 2 };
    /// 2.10: `user_id` in the request.
    pub const V2_10: Self = Self { minor: 10 };
    /// 2.92: `public_key` required (no generation), `@` and `.` allowed in names.
    pub const V2_92: Self = Self { minor: 92 };
    /// Nova's highest microversion (2.104): what `latest` means, and the maximum
    /// [`Microversion::from_str`] accepts and the usual `max` of [`Microversion::from_header`]
    /// (above it: 406). Key pairs behave here as at 2.92.
    pub const LATEST: Self = Self { minor: 104 };

    /// `2.minor`, or `None` for `minor == 0`.
    #[must_use]
    pub const fn new(minor: u32) -> Option<Self> {
        if minor == 0 {
            None
        } else {
            Some(Self { minor })
        }
    }

    /// The major version, always 2.
    #[must_use]
    pub const fn major(self) -> u32 {
        2
    }

    /// The minor version.
    #[must_use]
    pub const fn minor(self) -> u32 {
        self.minor
    }

    /// The microversion a request asks for, as Nova decides it: no header gives 2.1, `latest`
    /// gives `max`, anything else must be `MAJOR.MINOR` between 2.1 and `max`.
    ///
    /// `value` is the version part of `OpenStack-API-Version: compute 2.N` (or of the legacy
    /// `X-OpenStack-Nova-API-Version: 2.N`); picking it out of the headers is the caller's job.
    ///
    /// # Errors
    /// A 400 fault (`API Version String ... is of invalid format. Must be of format
    /// MajorNum.MinorNum.`) for a malformed value, a 406 fault (`Version ... is not supported by
    /// the API. Minimum is 2.1 and maximum is MAX.`) for one out of range; Nova's texts.
    pub fn from_header(value: Option<&str>, max: Self) -> Result<Self, Fault> {
        let Some(value) = value else {
            return Ok(Self::V2_1);
        };
        if value == "latest" {
            return Ok(max);
        }
        let Some((major, minor)) = split_version(value) else {
            return Err(Fault::new(
                FaultKind::InvalidVersion,
                format!(
                    "API Version String {value} is of invalid format. Must be of format MajorNum.MinorNum."
                ),
            )
            .with_error(Error::MicroversionFormat));
        };
        match (major, minor) {
            (Some(2), Some(minor)) if minor >= 1 && minor <= max.minor => Ok(Self { minor }),
            _ => Err(Fault::new(
                FaultKind::VersionNotAcceptable,
                format!(
                    "Version {value} is not supported by the API. Minimum is 2.1 and maximum is {max}."
                ),
            )
            .with_error(Error::MicroversionUnsupported)),
        }
    }
}

/// Nova's `^([1-9]\d*)\.([1-9]\d*|0)$` (ASCII digits); the numbers, `None` where one overflows.
fn split_version(s: &str) -> Option<(Option<u32>, Option<u32>)> {
    let (major, minor) = s.split_once('.')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) || major.starts_with('0') {
        return None;
    }
    if minor.starts_with('0') && minor != "0" {
        return None;
    }
    Some((major.parse().ok(), minor.parse().ok()))
}

impl FromStr for Microversion {
    type Err = Error;

    /// Parses `2.N` (1 <= N <= 104, no leading zeros) or `latest` ([`Microversion::LATEST`]).
    fn from_str(s: &str) -> Result<Self, Error> {
        if s == "latest" {
            return Ok(Self::LATEST);
        }
        match split_version(s) {
            None => Err(Error::MicroversionFormat),
            Some((Some(2), Some(minor))) if (1..=Self::LATEST.minor).contains(&minor) => {
                Ok(Self { minor })
            }
            Some(_) => Err(Error::MicroversionUnsupported),
        }
    }
}

impl fmt::Display for Microversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "2.{}", self.minor)
    }
}

impl Default for Microversion {
    fn default() -> Self {
        Self::V2_1
    }
}
