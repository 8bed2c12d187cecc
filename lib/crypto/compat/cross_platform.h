/* Debian's libxeddsa-dev ships xeddsa.h, which includes this header, but not
 * the header itself. Upstream it only defines the INTERFACE export macro,
 * which is empty on Linux. Private to the crypto layer's build. */
#pragma once
#define INTERFACE
