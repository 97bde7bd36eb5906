//! Fuzz target `calico_selector`: see `kubectl_netpol::fuzzing::calico_selector`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kubectl_netpol::fuzzing::calico_selector(data);
});
