//! Fuzz target `load`: see `kubectl_netpol::fuzzing::load`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kubectl_netpol::fuzzing::load(data);
});
