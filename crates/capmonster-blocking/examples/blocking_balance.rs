//! Prints the account balance.
//!
//! `CAPMONSTER_API_KEY=... cargo run -p capmonster-blocking --example blocking_balance` asks the real
//! service; without the key it asks a local emulator. `CAPMONSTER_BASE_URL` overrides the address.

use capmonster_blocking::Client;
use capmonster_emulator::ExampleTarget;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = ExampleTarget::from_env()?;
    let mut builder = Client::builder().api_key(&target.api_key);
    if let Some(url) = &target.base_url {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;
    println!("balance: {:.4} USD", client.balance()?.balance);
    Ok(())
}
