//! The os-keypairs API as pure functions (request/response bodies, name rules, the entry point).
//! OWNED BY THE API WORK (issue 5).
