//! The platform's branding as the backend passes it to the element.

use serde::{Deserialize, Serialize};

/// `branding` in the `/offer` response. Every field may be absent; colours are unvalidated text
/// here, and the element accepts them only if they parse as colours.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branding {
    #[serde(default)]
    pub business_name: Option<String>,
    #[serde(default)]
    pub icon: Option<String>,
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub primary_color: Option<String>,
    #[serde(default)]
    pub secondary_color: Option<String>,
}
