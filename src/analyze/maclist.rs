//! `[[maclist]]`: Shorewall's maclist file, checked as Misc.pm's
//! setup_mac_lists checks a line, and the `maclist` settings.

use super::*;
use crate::config::RawMaclist;
use crate::model::{Disposition, Mac, MaclistEntry};

impl Analyzer<'_> {
    pub(super) fn maclist(&mut self, raw: &[Spanned<RawMaclist>]) -> Vec<MaclistEntry> {
        self.check_maclist_families();
        raw.iter().filter_map(|e| self.maclist_entry(e)).collect()
    }

    fn maclist_entry(&mut self, raw: &Spanned<RawMaclist>) -> Option<MaclistEntry> {
        let errors_before = self.errors.len();
        let entry = raw.get_ref();
        let disposition = self.maclist_disposition(Some(&entry.disposition));
        let log = self.log_level(entry.log.as_ref());
        let interface = self.maclist_interface(&entry.interface);
        let mac = entry.mac.as_ref().and_then(|m| self.mac(m));
        let addresses: Vec<IpNet> = entry
            .addresses
            .iter()
            .filter_map(|a| self.maclist_address(a))
            .collect();
        if entry.mac.is_none() && entry.addresses.is_empty() {
            self.error(Some(raw.span()), ErrorKind::MaclistEmpty);
        }
        if self.errors.len() != errors_before {
            return None;
        }
        Some(MaclistEntry {
            disposition: disposition?,
            log,
            interface: interface?,
            mac,
            addresses,
            span: raw.span(),
            line: self.line(&raw.span()),
        })
    }

    /// A maclist disposition (an entry's, or MACLIST_DISPOSITION):
    /// ACCEPT, DROP or REJECT.
    pub(super) fn maclist_disposition(
        &mut self,
        written: Option<&Spanned<String>>,
    ) -> Option<Disposition> {
        let written = written?;
        match Disposition::parse(written.get_ref()) {
            Some(d) if d != Disposition::Continue => Some(d),
            _ => {
                let kind = ErrorKind::BadMaclistDisposition {
                    text: written.get_ref().clone(),
                };
                self.error(Some(written.span()), kind);
                None
            }
        }
    }

    /// The entry's interface: one of the model's, with the `maclist` option.
    fn maclist_interface(&mut self, name: &Spanned<String>) -> Option<usize> {
        let Some(index) = self
            .interfaces
            .iter()
            .position(|i| i.name == *name.get_ref())
        else {
            let kind = ErrorKind::UnknownInterface {
                name: name.get_ref().clone(),
                known: self.interfaces.iter().map(|i| i.name.clone()).collect(),
            };
            self.error(Some(name.span()), kind);
            return None;
        };
        if !self.interfaces[index].maclist() {
            let kind = ErrorKind::MaclistWithoutOption {
                interface: name.get_ref().clone(),
            };
            self.error(Some(name.span()), kind);
            return None;
        }
        Some(index)
    }

    fn mac(&mut self, written: &Spanned<String>) -> Option<Mac> {
        let mac = Mac::parse(written.get_ref());
        if mac.is_none() {
            let kind = ErrorKind::BadMac {
                text: written.get_ref().clone(),
            };
            self.error(Some(written.span()), kind);
        }
        mac
    }

    /// An address or network of the IP ADDRESSES column: IPv4 (MAC
    /// verification is modelled for IPv4 alone).
    fn maclist_address(&mut self, written: &Spanned<String>) -> Option<IpNet> {
        let net = self.network(written.get_ref(), written.span())?;
        if net.addr().is_ipv6() {
            let kind = ErrorKind::BadNetwork {
                text: written.get_ref().clone(),
                reason: "an IPv6 network: MAC verification is modelled for IPv4 alone".to_owned(),
            };
            self.error(Some(written.span()), kind);
            return None;
        }
        Some(net)
    }

    /// `maclist` on an interface that carries IPv6 is refused: Shorewall6
    /// writes its chain otherwise (link-local and multicast pass first).
    fn check_maclist_families(&mut self) {
        for index in 0..self.interfaces.len() {
            let interface = &self.interfaces[index];
            if !interface.has(InterfaceOption::Maclist) {
                continue;
            }
            let family = crate::model::zone::interface_family(&self.zones, &self.interfaces, index);
            if family.has_ipv6() {
                let kind = ErrorKind::MaclistIpv6 {
                    interface: interface.name.clone(),
                };
                let at = interface
                    .options
                    .iter()
                    .position(|o| *o == InterfaceOption::Maclist);
                let span = at
                    .and_then(|at| interface.option_spans.get(at))
                    .unwrap_or(&interface.span)
                    .clone();
                self.error(Some(span), kind);
            }
        }
    }
}
