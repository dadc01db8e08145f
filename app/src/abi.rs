//! The module's exports (wasm32 only): the page writes a request into the input buffer, calls
//! `juxta_call`, and reads the answer from the output buffer. Three functions and two buffers,
//! no bindings generator: the build needs cargo and the wasm target, nothing else.
//!
//! This is the one place in juxta's own crates with `unsafe`: `#[unsafe(no_mangle)]` on the
//! exports (their names are the ABI). No raw pointer is dereferenced here: the page writes
//! into, and reads from, `Vec`s this module owns, at the addresses and lengths it returns.
#![allow(unsafe_code)]

use std::cell::RefCell;

use crate::App;

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Makes the input buffer `len` bytes long (zeroed) and returns its address, for the page to
/// write the request's UTF-8 into.
#[unsafe(no_mangle)]
pub extern "C" fn juxta_input(len: usize) -> *mut u8 {
    INPUT.with_borrow_mut(|input| {
        input.clear();
        input.resize(len, 0);
        input.as_mut_ptr()
    })
}

/// Answers the request in the input buffer; returns the answer's length in bytes. The answer
/// stays in the output buffer until the next call.
#[unsafe(no_mangle)]
pub extern "C" fn juxta_call() -> usize {
    let request = INPUT.with_borrow_mut(std::mem::take);
    let answer = APP.with_borrow_mut(|app| crate::handle(app, &request));
    OUTPUT.with_borrow_mut(|out| {
        *out = answer;
        out.len()
    })
}

/// The address of the last answer.
#[unsafe(no_mangle)]
pub extern "C" fn juxta_output() -> *const u8 {
    OUTPUT.with_borrow(|out| out.as_ptr())
}
