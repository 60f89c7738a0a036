//! The three backend routes the element calls (contract section 2), with abort and timeout.
//!
//! Every request carries its own `AbortController`, registered in the element's [`Requests`] so
//! that removing the element aborts everything it started.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use capital_types::json::{self, FromJson};
use capital_types::{AccountLink, AccountLinkType, FinancingOffer, OfferState};
use futures::future::{Either, select};
use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, RequestCredentials, RequestInit, Response};

use super::events::ErrorKind;
use crate::model::options::{Credentials, route};

/// How long a request may take before the element gives up and says so.
const TIMEOUT_MS: i32 = 15_000;

/// Why a request failed. `kind()` is the `kind` of the `capital-offer-error` event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("the request could not be sent or got no answer")]
    Network,
    #[error("the request timed out")]
    Timeout,
    #[error("the server answered {status}")]
    Http { status: u16 },
    #[error("the answer could not be read: {0}")]
    Decode(String),
    /// The element was removed or the request was superseded; never shown to the user.
    #[error("the request was aborted")]
    Aborted,
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Network | ApiError::Timeout | ApiError::Aborted => ErrorKind::Network,
            ApiError::Http { .. } => ErrorKind::Http,
            ApiError::Decode(_) => ErrorKind::Decode,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status } => Some(*status),
            _ => None,
        }
    }
}

/// The requests an element has in flight, so that it can abort them all when it goes away.
#[derive(Clone, Default)]
pub struct Requests {
    live: Rc<RefCell<Vec<AbortController>>>,
    closed: Rc<std::cell::Cell<bool>>,
}

impl Requests {
    fn register(&self) -> Option<AbortController> {
        if self.closed.get() {
            return None;
        }
        let controller = AbortController::new().ok()?;
        self.live.borrow_mut().push(controller.clone());
        Some(controller)
    }

    fn release(&self, controller: &AbortController) {
        self.live.borrow_mut().retain(|c| c != controller);
    }

    /// Aborts everything in flight and refuses new requests.
    pub fn close(&self) {
        self.closed.set(true);
        for controller in self.live.borrow_mut().drain(..) {
            controller.abort();
        }
    }

    pub fn is_closed(&self) -> bool {
        self.closed.get()
    }
}

/// Where and how to call the backend.
#[derive(Clone)]
pub struct Backend {
    pub base: String,
    pub credentials: Credentials,
    pub requests: Requests,
}

/// Holds the controller of the latest offer load, so that a newer load aborts the one it replaces.
/// This is the one mechanism that drops a superseded load: an aborted request answers
/// [`ApiError::Aborted`] even when its response had already arrived (see [`Backend::send`]).
#[derive(Clone, Default)]
pub struct LatestLoad(Rc<RefCell<Option<AbortController>>>);

impl LatestLoad {
    fn replace(&self, controller: &AbortController) {
        if let Some(previous) = self.0.borrow_mut().replace(controller.clone()) {
            previous.abort();
        }
    }
}

impl Backend {
    /// `GET {api-base}/offer`; aborts the load that `latest` held before.
    pub async fn fetch_offer(&self, latest: &LatestLoad) -> Result<OfferState, ApiError> {
        let controller = self.requests.register().ok_or(ApiError::Aborted)?;
        latest.replace(&controller);
        self.exchange(&route(&self.base, "offer"), None, controller)
            .await
    }

    /// `POST {api-base}/account_links`: a fresh, single-use link.
    pub async fn create_account_link(
        &self,
        link_type: AccountLinkType,
    ) -> Result<AccountLink, ApiError> {
        let body = format!(r#"{{"type":{}}}"#, json::string_literal(link_type.as_str()));
        self.post(&route(&self.base, "account_links"), body).await
    }

    /// `POST {api-base}/offer/mark_delivered`.
    pub async fn mark_delivered(&self, offer_id: &str) -> Result<FinancingOffer, ApiError> {
        let body = format!(r#"{{"offer":{}}}"#, json::string_literal(offer_id));
        self.post(&route(&self.base, "offer/mark_delivered"), body)
            .await
    }

    async fn post<T: FromJson>(&self, url: &str, body: String) -> Result<T, ApiError> {
        let controller = self.requests.register().ok_or(ApiError::Aborted)?;
        self.exchange(url, Some(body), controller).await
    }

    async fn exchange<T: FromJson>(
        &self,
        url: &str,
        json_body: Option<String>,
        controller: AbortController,
    ) -> Result<T, ApiError> {
        let text = self.send(url, json_body, controller).await?;
        json::from_str(&text).map_err(|e| ApiError::Decode(e.to_string()))
    }

    /// Sends the request and returns the body of a 2xx answer. Not generic, and boxed, so that
    /// the three routes share one copy of it in the wasm.
    fn send(
        &self,
        url: &str,
        json_body: Option<String>,
        controller: AbortController,
    ) -> Pin<Box<dyn Future<Output = Result<String, ApiError>> + '_>> {
        let url = url.to_owned();
        Box::pin(async move {
            let result = self.send_with(&url, json_body, &controller).await;
            self.requests.release(&controller);
            if controller.signal().aborted() && !matches!(result, Err(ApiError::Timeout)) {
                return Err(ApiError::Aborted);
            }
            result
        })
    }

    async fn send_with(
        &self,
        url: &str,
        json_body: Option<String>,
        controller: &AbortController,
    ) -> Result<String, ApiError> {
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let init = RequestInit::new();
        init.set_credentials(match self.credentials {
            Credentials::SameOrigin => RequestCredentials::SameOrigin,
            Credentials::Include => RequestCredentials::Include,
        });
        init.set_signal(Some(&controller.signal()));
        let headers = Object::new();
        let _ = Reflect::set(&headers, &"Accept".into(), &"application/json".into());
        if let Some(body) = json_body {
            init.set_method("POST");
            init.set_body(&JsValue::from_str(&body));
            let _ = Reflect::set(&headers, &"Content-Type".into(), &"application/json".into());
        }
        init.set_headers(&headers);
        let request = window.fetch_with_str_and_init(url, &init);

        let exchange = async {
            let response: Response = JsFuture::from(request)
                .await
                .map_err(|_| ApiError::Network)?
                .unchecked_into();
            let text = response.text().map_err(|_| ApiError::Network)?;
            let text = JsFuture::from(text).await.map_err(|_| ApiError::Network)?;
            Ok::<_, ApiError>((response.status(), text.as_string().unwrap_or_default()))
        };
        let (status, text) = match select(Box::pin(exchange), Box::pin(sleep(TIMEOUT_MS))).await {
            Either::Left((result, _)) => result?,
            Either::Right(_) => {
                controller.abort();
                return Err(ApiError::Timeout);
            }
        };
        if !(200..300).contains(&status) {
            return Err(ApiError::Http { status });
        }
        Ok(text)
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}
