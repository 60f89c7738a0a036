//! The element's attribute values as signals, one per [`Attribute`], holding the raw value
//! (`None` when absent). A property set from JS lands here too; the shim decides which of the
//! two wins. The typed getters parse with the model's option types.

use leptos::prelude::*;

use crate::model::options::{
    self, Attribute, Credentials, Delivery, Layout, LinkTarget, ThemeMode,
};

#[derive(Clone, Copy)]
pub(crate) struct Attributes {
    values: [RwSignal<Option<String>>; Attribute::ALL.len()],
}

impl Attributes {
    pub(crate) fn new() -> Self {
        Attributes {
            values: std::array::from_fn(|_| RwSignal::new(None)),
        }
    }

    /// The signal holding `attribute`'s raw value.
    pub(crate) fn raw(&self, attribute: Attribute) -> RwSignal<Option<String>> {
        self.values[attribute as usize]
    }

    /// Sets one attribute; unchanged values notify nobody, so re-setting an attribute to the same
    /// value neither re-renders nor re-fetches.
    pub(crate) fn set(&self, attribute: Attribute, value: Option<String>) {
        let signal = self.raw(attribute);
        if signal.get_untracked() != value {
            signal.set(value);
        }
    }

    pub(crate) fn layout(&self) -> Layout {
        Layout::parse(self.raw(Attribute::Layout).get().as_deref())
    }

    pub(crate) fn theme(&self) -> ThemeMode {
        ThemeMode::parse(self.raw(Attribute::Theme).get().as_deref())
    }

    pub(crate) fn link_target(&self) -> LinkTarget {
        LinkTarget::parse(self.raw(Attribute::LinkTarget).get().as_deref())
    }

    pub(crate) fn delivery(&self) -> Delivery {
        Delivery::parse(self.raw(Attribute::Delivery).get().as_deref())
    }

    pub(crate) fn credentials(&self) -> Credentials {
        Credentials::parse(self.raw(Attribute::Credentials).get().as_deref())
    }

    /// `api-base`, normalised, with its default.
    pub(crate) fn api_base(&self) -> String {
        options::api_base(self.raw(Attribute::ApiBase).get().as_deref())
    }
}
