//! Which task `type` names go on the wire.

/// Which task `type` names are written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TypeNaming {
    /// The names the current CapMonster documentation uses (`RecaptchaV2Task` with or without a proxy).
    #[default]
    Documented,
    /// The older names with a `Proxyless` suffix when no proxy is set (`RecaptchaV2TaskProxyless`),
    /// for gateways and services that still need them.
    Legacy,
}
