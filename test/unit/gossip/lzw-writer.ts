/** The encoder now ships in the product (memberlist compresses what it sends); tests import it from here too. */
export {lzwCompress} from '../../../src/agent/gossip/memberlist/lzw.js'
