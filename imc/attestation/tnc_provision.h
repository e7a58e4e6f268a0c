/*
 * The tnc-provision command, callable from another program (tnc-client
 * --provision passes its remaining arguments). Link tnc_provision.c and
 * imcatt_conf.c with libtnccommon.
 */
#ifndef TNC_PROVISION_H
#define TNC_PROVISION_H

/*
 * Parses the tnc-provision options in argv (argv[0] is the program name),
 * creates the AK and prints its handle, keyid and PEM public key. Returns the
 * exit status: 0 done, 1 failure, 2 usage error.
 */
int tnc_provision_main(int argc, char **argv);

#endif
