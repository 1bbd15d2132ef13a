//! Hand-made packets for the lab's raw-socket probes (TCP flags, smurfs,
//! ICMP codes): the Internet checksum and a TCP header with it.

use std::net::{IpAddr, Ipv4Addr};

/// The Internet checksum (RFC 1071) of `bytes`.
pub fn checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = bytes
        .chunks(2)
        .map(|pair| u32::from(u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// A 20-byte TCP header from `source`:`sport` to `dest`:`dport` with
/// sequence number `seq`, the `flags` byte (0x02 SYN, 0x01 FIN) and its
/// checksum over the IPv4 pseudo-header.
pub fn tcp_header(
    (source, sport): (Ipv4Addr, u16),
    (dest, dport): (Ipv4Addr, u16),
    seq: u32,
    flags: u8,
) -> Vec<u8> {
    tcp_header_of((source.into(), sport), (dest.into(), dport), seq, flags)
}

/// [`tcp_header`] of either family: the checksum over the IPv4
/// pseudo-header, or IPv6's (RFC 8200 8.1: addresses, upper-layer length
/// in 32 bits, three zero bytes and the next header, 6).
pub fn tcp_header_of(
    (source, sport): (IpAddr, u16),
    (dest, dport): (IpAddr, u16),
    seq: u32,
    flags: u8,
) -> Vec<u8> {
    let mut tcp = vec![0u8; 20];
    tcp[0..2].copy_from_slice(&sport.to_be_bytes());
    tcp[2..4].copy_from_slice(&dport.to_be_bytes());
    tcp[4..8].copy_from_slice(&seq.to_be_bytes());
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp[14..16].copy_from_slice(&1024u16.to_be_bytes());
    let mut pseudo = Vec::with_capacity(60);
    match (source, dest) {
        (IpAddr::V4(source), IpAddr::V4(dest)) => {
            pseudo.extend_from_slice(&source.octets());
            pseudo.extend_from_slice(&dest.octets());
            pseudo.extend_from_slice(&[0, 6, 0, 20]);
        }
        (IpAddr::V6(source), IpAddr::V6(dest)) => {
            pseudo.extend_from_slice(&source.octets());
            pseudo.extend_from_slice(&dest.octets());
            pseudo.extend_from_slice(&[0, 0, 0, 20, 0, 0, 0, 6]);
        }
        _ => panic!("{source} and {dest} are of different families"),
    }
    pseudo.extend_from_slice(&tcp);
    tcp[16..18].copy_from_slice(&checksum(&pseudo).to_be_bytes());
    tcp
}
