# Man pages of PT-TLS, tnc-client and tnc-server, and the shared file formats.
dist_man_MANS += tnc-client.8 tnc-server.8 tnc_config.5 tncsuite.conf.5
