//! The three backend routes the element calls (contract section 2), with abort and timeout.
//!
//! Every request an element waits for carries its own `AbortController`, registered in the
//! element's [`Requests`], so that removing the element (or a newer load) stops the wait. An
//! answer is a promise of `[status, text]`:
//! - `GET {api-base}/offer` is shared: elements with the same URL and credentials wait on one
//!   request while it is in flight ([`Share`]); the request itself is aborted when the last of them
//!   stops waiting. It is not a cache: once answered, the next load asks again.
//! - An element's first load can take the answer the JS shim started before the wasm was ready
//!   ([`Prefetched`]), so that the offer is not fetched twice.
//! - With `fetchSessionToken` set, requests go through the shim's authorising `fetch`
//!   ([`Backend::fetch`]), which adds `Authorization: Bearer …`, fetches the token again once after
//!   a `401` and rejects with `"auth"` when the platform's function fails.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use capital_types::json::{self, FromJson};
use capital_types::{AccountLink, AccountLinkType, FinancingOffer, OfferState};
use futures::future::{Either, select};
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise, spawn_local};
use web_sys::{AbortController, AbortSignal, RequestCredentials, RequestInit, Response};

use super::events::ErrorKind;
use crate::model::options::{Credentials, route};

/// How long a request may take before the element gives up and says so (the shim uses the same).
const TIMEOUT_MS: i32 = 15_000;

/// Why a request failed. `kind()` is the `kind` of the `capital-offer-error` event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("the request could not be sent or got no answer")]
    Network,
    #[error("the request timed out")]
    Timeout,
    #[error("the server answered {status}")]
    Http { status: u16 },
    #[error("the answer could not be read: {0}")]
    Decode(String),
    /// The platform's `fetchSessionToken` threw or rejected.
    #[error("the session token could not be fetched")]
    Auth,
    /// The element was removed or the request was superseded; never shown to the user.
    #[error("the request was aborted")]
    Aborted,
}

impl ApiError {
    pub(crate) fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Network | ApiError::Timeout | ApiError::Aborted => ErrorKind::Network,
            ApiError::Http { .. } => ErrorKind::Http,
            ApiError::Decode(_) => ErrorKind::Decode,
            ApiError::Auth => ErrorKind::Auth,
        }
    }

    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status } => Some(*status),
            _ => None,
        }
    }
}

/// The requests an element waits for, so that it can stop them all when it goes away.
#[derive(Clone, Default)]
pub(crate) struct Requests {
    live: Rc<RefCell<Vec<AbortController>>>,
    closed: Rc<Cell<bool>>,
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
    pub(crate) fn close(&self) {
        self.closed.set(true);
        for controller in self.live.borrow_mut().drain(..) {
            controller.abort();
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.get()
    }
}

/// Where and how to call the backend.
#[derive(Clone)]
pub(crate) struct Backend {
    pub base: String,
    pub credentials: Credentials,
    pub requests: Requests,
    /// The shim's `fetch` that adds the session token (`fetchSessionToken`), else the window's.
    pub fetch: Option<js_sys::Function>,
}

/// The answer to `GET {url}` that the JS shim started before the wasm was ready.
pub(crate) struct Prefetched {
    pub url: String,
    pub credentials: Credentials,
    /// Resolves to `[status, text]`; rejects with `"timeout"` or the network error.
    pub answer: Promise,
}

/// Holds the controller of the latest offer load, so that a newer load aborts the one it replaces.
/// This is the one mechanism that drops a superseded load: an aborted wait answers
/// [`ApiError::Aborted`] even when the response had already arrived (see [`Backend::wait`]).
#[derive(Clone, Default)]
pub(crate) struct LatestLoad(Rc<RefCell<Option<AbortController>>>);

impl LatestLoad {
    fn replace(&self, controller: &AbortController) {
        if let Some(previous) = self.0.borrow_mut().replace(controller.clone()) {
            previous.abort();
        }
    }

    /// Drops the load in flight, if any: something newer than its answer is shown already.
    pub(crate) fn abort(&self) {
        if let Some(previous) = self.0.borrow_mut().take() {
            previous.abort();
        }
    }
}

/// One `GET /offer` in flight and the elements waiting for it.
struct InFlight {
    id: u32,
    url: String,
    credentials: Credentials,
    fetch: Option<js_sys::Function>,
    answer: Promise,
    controller: AbortController,
    waiters: u32,
}

thread_local! {
    /// A page has a handful of backends at most, so a list beats a map (and its code) here.
    static IN_FLIGHT: RefCell<Vec<InFlight>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

/// One element's place in a shared `GET /offer`; leaving (drop) aborts the request when nobody
/// else waits for it.
struct Share {
    id: u32,
    answer: Promise,
}

impl Share {
    fn join(
        url: &str,
        credentials: Credentials,
        fetch: &Option<js_sys::Function>,
    ) -> Result<Share, ApiError> {
        let joined = IN_FLIGHT.with(|list| {
            let mut list = list.borrow_mut();
            let entry = list
                .iter_mut()
                .find(|e| e.url == url && e.credentials == credentials && e.fetch == *fetch)?;
            entry.waiters += 1;
            Some(Share {
                id: entry.id,
                answer: entry.answer.clone(),
            })
        });
        if let Some(share) = joined {
            return Ok(share);
        }
        let controller = AbortController::new().map_err(|_| ApiError::Network)?;
        let answer = request(fetch, url, None, credentials, &controller.signal())?;
        let id = NEXT_ID.with(|next| {
            next.set(next.get().wrapping_add(1));
            next.get()
        });
        IN_FLIGHT.with(|list| {
            list.borrow_mut().push(InFlight {
                id,
                url: url.to_owned(),
                credentials,
                fetch: fetch.clone(),
                answer: answer.clone(),
                controller,
                waiters: 1,
            })
        });
        // Answered: the next load asks again.
        let settled = answer.clone();
        spawn_local(async move {
            let _ = JsFuture::from(settled).await;
            IN_FLIGHT.with(|list| list.borrow_mut().retain(|e| e.id != id));
        });
        Ok(Share { id, answer })
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        IN_FLIGHT.with(|list| {
            let mut list = list.borrow_mut();
            if let Some(index) = list.iter().position(|e| e.id == self.id) {
                list[index].waiters -= 1;
                if list[index].waiters == 0 {
                    list.swap_remove(index).controller.abort();
                }
            }
        });
    }
}

impl Backend {
    /// `GET {api-base}/offer`: `prefetched` when it is for this URL and credentials, else the
    /// shared request. Aborts the load that `latest` held before.
    pub(crate) async fn fetch_offer(
        &self,
        latest: &LatestLoad,
        prefetched: Option<Prefetched>,
    ) -> Result<(OfferState, String), ApiError> {
        let controller = self.requests.register().ok_or(ApiError::Aborted)?;
        latest.replace(&controller);
        let url = route(&self.base, "offer");
        let text = match prefetched.filter(|p| p.url == url && p.credentials == self.credentials) {
            Some(prefetched) => self.wait(prefetched.answer, controller).await?,
            None => {
                let share = Share::join(&url, self.credentials, &self.fetch)?;
                self.wait(share.answer.clone(), controller).await?
            }
        };
        Ok((decode(&text)?, text))
    }

    /// `POST {api-base}/account_links`: a fresh, single-use link.
    pub(crate) async fn create_account_link(
        &self,
        link_type: AccountLinkType,
    ) -> Result<AccountLink, ApiError> {
        let body = format!(r#"{{"type":{}}}"#, json::string_literal(link_type.as_str()));
        self.post(&route(&self.base, "account_links"), body).await
    }

    /// `POST {api-base}/offer/mark_delivered`.
    pub(crate) async fn mark_delivered(&self, offer_id: &str) -> Result<FinancingOffer, ApiError> {
        let body = format!(r#"{{"offer":{}}}"#, json::string_literal(offer_id));
        self.post(&route(&self.base, "offer/mark_delivered"), body)
            .await
    }

    async fn post<T: FromJson>(&self, url: &str, body: String) -> Result<T, ApiError> {
        let controller = self.requests.register().ok_or(ApiError::Aborted)?;
        let answer = request(
            &self.fetch,
            url,
            Some(&body),
            self.credentials,
            &controller.signal(),
        )?;
        decode(&self.wait(answer, controller).await?)
    }

    /// Waits for `answer` and returns the body of a 2xx. Stops when `controller` is aborted (the
    /// element went, or a newer load replaced this one) or the timeout passes. Not generic, and
    /// boxed, so that every route shares one copy of it in the wasm.
    fn wait(
        &self,
        answer: Promise,
        controller: AbortController,
    ) -> Pin<Box<dyn Future<Output = Result<String, ApiError>> + '_>> {
        Box::pin(async move {
            let result = wait_for(answer, &controller).await;
            self.requests.release(&controller);
            if controller.signal().aborted() && !matches!(result, Err(ApiError::Timeout)) {
                return Err(ApiError::Aborted);
            }
            result
        })
    }
}

pub(crate) fn decode<T: FromJson>(text: &str) -> Result<T, ApiError> {
    json::from_str(text).map_err(|e| ApiError::Decode(e.to_string()))
}

/// Sends a request, through `fetch` when given (the shim's authorising `fetch`); the promise
/// resolves to `[status, text]`, as the shim's hand-over does.
fn request(
    fetch: &Option<js_sys::Function>,
    url: &str,
    json_body: Option<&str>,
    credentials: Credentials,
    signal: &AbortSignal,
) -> Result<Promise, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let init = RequestInit::new();
    init.set_credentials(match credentials {
        Credentials::SameOrigin => RequestCredentials::SameOrigin,
        Credentials::Include => RequestCredentials::Include,
    });
    init.set_signal(Some(signal));
    let headers = Object::new();
    let _ = Reflect::set(&headers, &"Accept".into(), &"application/json".into());
    if let Some(body) = json_body {
        init.set_method("POST");
        init.set_body(&JsValue::from_str(body));
        let _ = Reflect::set(&headers, &"Content-Type".into(), &"application/json".into());
    }
    init.set_headers(&headers);
    let response = match fetch {
        // The shim's fetch is an async function: it answers a promise, and never throws.
        Some(fetch) => fetch
            .call2(&JsValue::NULL, &JsValue::from_str(url), &init)
            .map_err(|_| ApiError::Auth)?
            .unchecked_into(),
        None => window.fetch_with_str_and_init(url, &init),
    };
    Ok(future_to_promise(async move {
        let response: Response = JsFuture::from(response).await?.unchecked_into();
        let text = JsFuture::from(response.text()?).await?;
        Ok(Array::of2(&JsValue::from(response.status()), &text).into())
    }))
}

/// The body of a 2xx `answer`; stops early on the timeout or when `controller` is aborted.
async fn wait_for(answer: Promise, controller: &AbortController) -> Result<String, ApiError> {
    let stopped = Box::pin(select(
        Box::pin(sleep(TIMEOUT_MS)),
        Box::pin(aborted(controller.signal())),
    ));
    let settled = Box::pin(JsFuture::from(answer));
    let pair = match select(settled, stopped).await {
        Either::Left((Ok(pair), _)) => pair,
        Either::Left((Err(reason), _)) if reason.as_string().as_deref() == Some("timeout") => {
            return Err(ApiError::Timeout);
        }
        Either::Left((Err(reason), _)) if reason.as_string().as_deref() == Some("auth") => {
            return Err(ApiError::Auth);
        }
        Either::Left((Err(_), _)) => return Err(ApiError::Network),
        Either::Right((Either::Left(_), _)) => {
            controller.abort();
            return Err(ApiError::Timeout);
        }
        Either::Right((Either::Right(_), _)) => return Err(ApiError::Aborted),
    };
    let pair: Array = pair.unchecked_into();
    let status = pair.get(0).as_f64().unwrap_or(0.0) as u16;
    if !(200..300).contains(&status) {
        return Err(ApiError::Http { status });
    }
    Ok(pair.get(1).as_string().unwrap_or_default())
}

/// Resolves once `signal` is aborted.
async fn aborted(signal: AbortSignal) {
    if signal.aborted() {
        return;
    }
    let promise = Promise::new(&mut |resolve, _| signal.set_onabort(Some(&resolve)));
    let _ = JsFuture::from(promise).await;
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}
