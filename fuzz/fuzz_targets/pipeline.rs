//! Fuzz target `pipeline`: see `kubectl_netpol::fuzzing::pipeline`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kubectl_netpol::fuzzing::pipeline(data);
});
