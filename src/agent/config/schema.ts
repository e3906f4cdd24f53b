/**
 * Which Consul config keys dc reads, and their types. Keys Consul knows but dc does
 * not implement yet are accepted with one warning each; keys Consul does not know are
 * errors (as Consul treats them).
 */
export type KeyType = 'string' | 'bool' | 'int' | 'duration' | 'strings' | 'map' | 'object' | 'any' | 'list'

export const IMPLEMENTED: Record<string, KeyType> = {
  datacenter: 'string',
  data_dir: 'string',
  node_name: 'string',
  node_id: 'string',
  node_meta: 'map',
  server: 'bool',
  bootstrap: 'bool',
  bootstrap_expect: 'int',
  bind_addr: 'string',
  client_addr: 'string',
  advertise_addr: 'string',
  advertise_addr_wan: 'string',
  ports: 'object',
  addresses: 'object',
  log_level: 'string',
  log_json: 'bool',
  pid_file: 'string',
  retry_join: 'strings',
  retry_join_wan: 'strings',
  start_join: 'strings',
  retry_interval: 'duration',
  retry_max: 'int',
  encrypt: 'string',
  ui: 'bool',
  ui_config: 'object',
  ui_dir: 'string',
  ui_content_path: 'string',
  raft_snapshot_threshold: 'int',
  raft_snapshot_interval: 'duration',
  raft_trailing_logs: 'int',
  limits: 'object',
  session_ttl_min: 'duration',
  default_query_time: 'duration',
  max_query_time: 'duration',
  domain: 'string',
  alt_domain: 'string',
  recursors: 'strings',
  dns_config: 'object',
  enable_script_checks: 'bool',
  enable_local_script_checks: 'bool',
  check_update_interval: 'duration',
  discard_check_output: 'bool',
  service: 'object',
  services: 'list',
  check: 'object',
  checks: 'list',
  leave_on_terminate: 'bool',
  skip_leave_on_interrupt: 'bool',
  disable_update_check: 'bool',
  performance: 'object',
  rejoin_after_leave: 'bool',
  ae_interval: 'duration',
  check_reap_interval: 'duration',
  check_deregister_interval_min: 'duration',
}

/** Sub-keys dc reads inside the object-typed keys above (others inside them warn). */
export const NESTED: Record<string, Record<string, KeyType>> = {
  ports: {http: 'int', https: 'int', dns: 'int', grpc: 'int', grpc_tls: 'int', serf_lan: 'int', serf_wan: 'int', server: 'int', sidecar_min_port: 'int', sidecar_max_port: 'int', expose_min_port: 'int', expose_max_port: 'int'},
  addresses: {http: 'string', https: 'string', dns: 'string', grpc: 'string', grpc_tls: 'string'},
  limits: {kv_max_value_size: 'int', txn_max_req_len: 'int', http_max_conns_per_client: 'int', rpc_max_conns_per_client: 'int', rpc_rate: 'any', rpc_max_burst: 'int', request_limits: 'object'},
  performance: {raft_multiplier: 'int', leave_drain_time: 'duration', rpc_hold_timeout: 'duration'},
  // metrics_provider, metrics_proxy, dashboard_url_templates: the UI has no metrics view yet, so they warn.
  ui_config: {enabled: 'bool', dir: 'string', content_path: 'string'},
}

/** Consul keys accepted with a warning ("not implemented by dc yet"). */
export const KNOWN_UNIMPLEMENTED = new Set([
  'acl', 'acl_datacenter', 'acl_default_policy', 'acl_down_policy', 'acl_master_token', 'acl_token', 'acl_ttl',
  'advertise_addr_ipv4', 'advertise_addr_ipv6', 'advertise_reconnect_timeout', 'audit', 'auto_config', 'auto_encrypt',
  'auto_reload_config', 'autopilot', 'bind_addr_ipv6', 'ca_file', 'ca_path', 'cert_file', 'cloud', 'config_entries',
  'connect', 'disable_anonymous_signature', 'disable_coordinates', 'disable_host_node_id', 'disable_http_unprintable_char_filter',
  'disable_keyring_file', 'disable_remote_exec', 'discovery_max_stale', 'enable_agent_tls_for_checks', 'enable_central_service_config',
  'enable_debug', 'enable_syslog', 'encrypt_verify_incoming', 'encrypt_verify_outgoing', 'experiments', 'gossip_lan', 'gossip_wan',
  'http_config', 'key_file', 'leave_drain_time', 'license_path', 'log_file', 'log_rotate_bytes', 'log_rotate_duration',
  'log_rotate_max_files', 'peering', 'primary_datacenter', 'primary_gateways', 'primary_gateways_interval', 'protocol',
  'raft_boltdb', 'raft_logstore', 'raft_protocol', 'read_replica', 'reconnect_timeout', 'reconnect_timeout_wan',
  'reporting', 'retry_interval_wan', 'retry_max_wan', 'rpc', 'segment', 'segments', 'serf_lan', 'serf_lan_allowed_cidrs',
  'serf_wan', 'serf_wan_allowed_cidrs', 'start_join_wan', 'syslog_facility', 'telemetry', 'tls', 'tls_cipher_suites',
  'tls_min_version', 'tls_prefer_server_cipher_suites', 'translate_wan_addrs', 'unix_sockets',
  'verify_incoming', 'verify_incoming_https', 'verify_incoming_rpc', 'verify_outgoing', 'verify_server_hostname',
  'watches', 'xds', 'non_voting_server', 'node_id_file', 'sync_coordinate_interval_min', 'sync_coordinate_rate_target',
  'skip_leave_on_interrupt_default', 'use_streaming_backend', 'locality', 'default_intention_policy', 'bootstrap_expect_wan',
])
