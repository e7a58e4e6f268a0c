/* The tnc-provision program; the command itself is in tnc_provision.c. */
#include "tnc_provision.h"

int main(int argc, char **argv)
{
	return tnc_provision_main(argc, argv);
}
