"""Attribution page: credits per channel and campaign, sourced revenue, campaign ROI."""
